package dev.whiskfeed.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.UUID;

/**
 * Event ids of backfill events, derived from (feed, run, row key), so a chunk run again after a
 * crash lands on the ids it had and stores nothing twice (the insert skips ids already stored),
 * whichever database holds the events. An RFC 9562 version-8 uuid: 32 bits from the feed and
 * run (one run's events sit together in the primary-key index), the rest from a SHA-256 of the key.
 * The key's parts are length-prefixed, so ("a,b") and ("a", "b") differ.
 */
public final class BackfillIds {
  private BackfillIds() {}

  public static UUID of(long feedId, int run, List<String> key) {
    MessageDigest sha = sha256();
    ByteBuffer head = ByteBuffer.allocate(12).putLong(feedId).putInt(run);
    sha.update(head.array());
    byte[] runHash = sha.digest();
    sha.update(head.array());
    for (String part : key) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
      sha.update(bytes);
    }
    ByteBuffer keyHash = ByteBuffer.wrap(sha.digest());
    long prefix = ByteBuffer.wrap(runHash).getInt() & 0xFFFFFFFFL;
    long a = keyHash.getLong();
    long b = keyHash.getLong();
    // custom_a (48 bits) = run prefix (32) + key hash (16), version 8, custom_b (12 bits) = key hash
    long high = (prefix << 32) | ((a >>> 48) << 16) | (0x8L << 12) | (a & 0xFFF);
    // variant 10, custom_c (62 bits) = key hash
    long low = (0b10L << 62) | (b >>> 2);
    return new UUID(high, low);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
