package dev.whiskfeed.actions;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The OpenWhisk feed lifecycle and the provider request each event maps to. */
enum LifecycleEvent {
  CREATE("POST", ""),
  READ("GET", ""),
  UPDATE("PUT", ""),
  DELETE("DELETE", ""),
  PAUSE("POST", "/pause"),
  UNPAUSE("POST", "/unpause");

  private final String httpMethod;
  private final String pathSuffix;

  LifecycleEvent(String httpMethod, String pathSuffix) {
    this.httpMethod = httpMethod;
    this.pathSuffix = pathSuffix;
  }

  String httpMethod() {
    return httpMethod;
  }

  String pathSuffix() {
    return pathSuffix;
  }

  static LifecycleEvent parse(String value) throws FeedActionException {
    String normalized = value.trim().toUpperCase(Locale.ROOT);
    for (LifecycleEvent event : values()) {
      if (event.name().equals(normalized)) {
        return event;
      }
    }
    throw new FeedActionException("unsupported lifecycleEvent \"" + abbreviate(value)
        + "\"; expected one of " + names());
  }

  static String names() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "…";
  }
}
