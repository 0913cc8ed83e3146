package dev.whiskfeed.actions;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** One lifecycle call, validated from the action's arguments. */
final class FeedRequest {
  static final String PROVIDER_URL = "providerUrl";
  static final String LIFECYCLE_EVENT = "lifecycleEvent";
  static final String TRIGGER_NAME = "triggerName";
  static final String AUTH_KEY = "authKey";
  static final String NAMESPACE_ENV = "__OW_NAMESPACE";

  private static final Set<String> LIFECYCLE_KEYS = Collections.unmodifiableSet(
      new HashSet<>(Arrays.asList(PROVIDER_URL, LIFECYCLE_EVENT, TRIGGER_NAME, AUTH_KEY)));

  private final URI providerUrl;
  private final LifecycleEvent event;
  private final String namespace;
  private final String trigger;
  private final String authKey;
  private final JsonObject userParams;

  /**
   * @param providerUrl the provider's base URL without trailing slashes
   * @param namespace the trigger's namespace, never {@code _}
   * @param userParams every argument that is neither a lifecycle parameter nor an
   *     {@code __ow_} system key
   */
  FeedRequest(URI providerUrl, LifecycleEvent event, String namespace, String trigger,
      String authKey, JsonObject userParams) {
    this.providerUrl = providerUrl;
    this.event = event;
    this.namespace = namespace;
    this.trigger = trigger;
    this.authKey = authKey;
    this.userParams = userParams;
  }

  URI providerUrl() {
    return providerUrl;
  }

  LifecycleEvent event() {
    return event;
  }

  String namespace() {
    return namespace;
  }

  String trigger() {
    return trigger;
  }

  String authKey() {
    return authKey;
  }

  JsonObject userParams() {
    return userParams;
  }

  /** Never shows the authKey. */
  @Override
  public String toString() {
    return "FeedRequest[" + event + " " + providerUrl + " /" + namespace + "/" + trigger + "]";
  }

  static FeedRequest from(JsonObject args, Map<String, String> env) throws FeedActionException {
    LifecycleEvent event = LifecycleEvent.parse(
        required(args, LIFECYCLE_EVENT, " (one of " + LifecycleEvent.names() + ")"));
    URI providerUrl = providerUrl(required(args, PROVIDER_URL, ""));
    String[] trigger = triggerName(required(args, TRIGGER_NAME, " (/namespace/name)"), env);
    String authKey = authKey(required(args, AUTH_KEY, " (uuid:key)"));
    return new FeedRequest(providerUrl, event, trigger[0], trigger[1], authKey, userParams(args));
  }

  /** The authKey argument if it is a string, for masking results even when validation fails. */
  static String rawAuthKey(JsonObject args) {
    JsonElement value = args == null ? null : args.get(AUTH_KEY);
    return isString(value) ? value.getAsString() : null;
  }

  /** {@code {providerUrl}/api/v1/feeds/{ns}/{trigger}[/pause|/unpause]}, segments percent-encoded. */
  URI feedUri() {
    return URI.create(providerUrl + "/api/v1/feeds/" + PathSegment.encode(namespace)
        + "/" + PathSegment.encode(trigger) + event.pathSuffix());
  }

  private static String required(JsonObject args, String key, String hint)
      throws FeedActionException {
    JsonElement value = args.get(key);
    if (value == null || value.isJsonNull()) {
      throw new FeedActionException("missing required parameter " + key + hint);
    }
    if (!isString(value)) {
      throw new FeedActionException("parameter " + key + " must be a string" + hint);
    }
    String text = value.getAsString();
    if (Text.isBlank(text)) {
      throw new FeedActionException("parameter " + key + " must not be empty" + hint);
    }
    return text;
  }

  private static boolean isString(JsonElement value) {
    return value instanceof JsonPrimitive && ((JsonPrimitive) value).isString();
  }

  private static URI providerUrl(String value) throws FeedActionException {
    String trimmed = Text.strip(value).replaceAll("/+$", "");
    String problem = "invalid providerUrl " + value + ": expected http(s)://host[:port][/path]";
    try {
      URI uri = new URI(trimmed);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new FeedActionException(problem);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new FeedActionException(problem);
    }
  }

  /** Triggers live directly in a namespace: {@code /ns/name}, no package. */
  private static String[] triggerName(String value, Map<String, String> env)
      throws FeedActionException {
    String[] parts = value.split("/", -1);
    if (parts.length != 3 || !parts[0].isEmpty() || Text.isBlank(parts[1])
        || Text.isBlank(parts[2])) {
      throw new FeedActionException(
          "invalid triggerName " + value + ": expected /namespace/name");
    }
    String namespace = parts[1];
    if (namespace.equals("_")) {
      namespace = env.get(NAMESPACE_ENV);
      if (namespace == null || Text.isBlank(namespace) || namespace.equals("_")) {
        throw new FeedActionException("triggerName " + value + " uses the default namespace _"
            + " but the environment variable " + NAMESPACE_ENV + " is not set");
      }
    }
    return new String[] {namespace, parts[2]};
  }

  private static String authKey(String value) throws FeedActionException {
    int colon = value.indexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      // The value itself is a secret: never echo it.
      throw new FeedActionException("invalid authKey: expected uuid:key");
    }
    return value;
  }

  private static JsonObject userParams(JsonObject args) {
    JsonObject params = new JsonObject();
    for (Map.Entry<String, JsonElement> entry : args.entrySet()) {
      String key = entry.getKey();
      if (!LIFECYCLE_KEYS.contains(key) && !isSystemKey(key)) {
        params.add(key, entry.getValue()); // shared, never changed; deepCopy is Gson 2.8.2+
      }
    }
    return params;
  }

  private static boolean isSystemKey(String key) {
    return key.startsWith("__ow_") || key.startsWith("__OW_");
  }
}
