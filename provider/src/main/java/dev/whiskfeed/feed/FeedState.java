package dev.whiskfeed.feed;

import java.util.Locale;

/** The states of ARCHITECTURE.md's feed state machine. */
public enum FeedState {
  ACTIVE, PAUSED, DISABLED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FeedState parse(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
