package dev.whiskfeed.store;

import dev.whiskfeed.config.DbUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which database a feed works with: the control database, a named source of
 * {@code WHISKFEED_SOURCES}, or a database given by URL (a secret: never printed). A feed's events
 * live in one such database ({@code dev.whiskfeed.feed.Feed#eventStore}); a {@code changes} feed
 * also reads its table from one ({@code Feed#database}). {@link #name()} is stable, carries no
 * credentials, and names the {@link EventStore} opened for it.
 */
public sealed interface StoreRef {
  StoreRef CONTROL = new Control();

  /** The store name: {@code control}, {@code source:<name>} or {@code db:<digest of the URL>}. */
  String name();

  /** The reference a feed's {@code source} / {@code database} parameters give; both null = the control database. */
  static StoreRef of(String source, String databaseUrl) {
    if (source != null) return new Source(source);
    if (databaseUrl != null) return new Url(databaseUrl);
    return CONTROL;
  }

  default boolean isControl() {
    return this instanceof Control;
  }

  record Control() implements StoreRef {
    @Override
    public String name() {
      return EventStore.CONTROL;
    }
  }

  record Source(String source) implements StoreRef {
    @Override
    public String name() {
      return "source:" + source;
    }
  }

  /** A database given by URL; {@code toString} masks the password. */
  record Url(String url) implements StoreRef {
    @Override
    public String name() {
      return "db:" + digest(url);
    }

    @Override
    public String toString() {
      return "Url[" + DbUrl.parse(url).masked() + "]";
    }

    private static String digest(String s) {
      try {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d, 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
