package dev.whiskfeed.capture.wal;

import java.util.UUID;

/**
 * Event ids of WAL capture, derived from where the change sits in the log, so a change decoded
 * again after a crash lands on the id it had, never on a second event: an RFC 9562 version-8 uuid
 * holding the transaction's commit LSN (60 bits: the high bits first, so ids of later commits sort
 * later and land at the right edge of the primary-key index), the feed id and the change's index
 * among its table's changes in the transaction (counted before any filter; 31 bits each). A feed id
 * or index beyond 31 bits is folded into those bits with a hash: still stable, collisions
 * possible only past two billion feeds or changes of one table in one transaction.
 */
public final class EventIds {
  private static final long MASK_31 = (1L << 31) - 1;

  private EventIds() {}

  public static UUID of(long commitLsn, long feedId, long index) {
    long lsn = commitLsn & ((1L << 60) - 1);
    // custom_a (48 bits) = LSN high bits, version 8, custom_b (12 bits) = LSN low bits
    long high = ((lsn >>> 12) << 16) | (0x8L << 12) | (lsn & 0xFFF);
    // variant 10, custom_c (62 bits) = feed (31) | index (31)
    long low = (0b10L << 62) | (fold(feedId) << 31) | fold(index);
    return new UUID(high, low);
  }

  private static long fold(long v) {
    if (v >= 0 && v <= MASK_31) return v;
    long h = v * 0x9E3779B97F4A7C15L;
    return (h ^ (h >>> 31)) & MASK_31;
  }
}
