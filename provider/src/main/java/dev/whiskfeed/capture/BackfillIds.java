package dev.whiskfeed.capture;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes the event ids of one backfill run: ids derived from (feed, run, row key), so a chunk
 * run again after a crash lands on the ids it had and stores nothing twice (the insert skips ids
 * already stored), whichever database holds the events. The id itself is computed where the row is
 * read ({@link BackfillQuery#id}): these are its two run-wide inputs. The prefix (the id's first 32
 * bits) keeps one run's events together in the event table's primary-key index.
 */
public final class BackfillIds {
  private BackfillIds() {}

  /** 8 hex digits from the feed and run. */
  public static String prefix(long feedId, int run) {
    byte[] hash = sha256().digest(ByteBuffer.allocate(12).putLong(feedId).putInt(run).array());
    return HexFormat.of().formatHex(hash, 0, 4);
  }

  /** What the key's hash starts with: the feed and the run, so no two runs share an id. */
  public static String salt(long feedId, int run) {
    return feedId + "/" + run + "/";
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

}
