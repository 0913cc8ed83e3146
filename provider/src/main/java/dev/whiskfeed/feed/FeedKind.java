package dev.whiskfeed.feed;

import dev.whiskfeed.error.WhiskfeedException;
import java.util.Locale;

/** The three feed kinds of API.md, by their wire names. */
public enum FeedKind {
  CHANGES, WEBHOOK, ALARM;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FeedKind parse(Object value) {
    if (value == null) throw WhiskfeedException.invalid("kind is required: one of changes, webhook, alarm");
    if (value instanceof String s) {
      for (FeedKind k : values()) {
        if (k.wireName().equals(s)) return k;
      }
    }
    throw WhiskfeedException.invalid("kind '" + value + "' is not one of changes, webhook, alarm");
  }
}
