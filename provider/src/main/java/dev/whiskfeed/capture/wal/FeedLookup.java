package dev.whiskfeed.capture.wal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The WAL feeds of a source by table, as the slot reader sees them while it decodes. Read again
 * when they are marked stale (a feed changed: the lifecycle's mark in the WAL, or its
 * notification), and for a table with no feeds when the feeds were read before the change's
 * transaction arrived: a feed created just before that transaction committed is then found,
 * while the changes of a table nobody captures do not cost a read each.
 */
final class FeedLookup implements ChangeAssembler.Feeds {
  /** Reads the source's WAL feeds now (blocking). */
  interface Loader {
    List<WalFeed> load() throws Exception;
  }

  private final Loader loader;
  private final LongSupplier nanoClock;
  private final Map<String, List<WalFeed>> byTable = new HashMap<>();
  private volatile long loadedAt = Long.MIN_VALUE;
  private volatile boolean stale = true;

  FeedLookup(Loader loader, LongSupplier nanoClock) {
    this.loader = loader;
    this.nanoClock = nanoClock;
  }

  /** Feeds changed: read them again before the next lookup (any thread). */
  @Override
  public void invalidate() {
    stale = true;
  }

  boolean stale() {
    return stale;
  }

  /**
   * The safety net beside {@link #invalidate()}: read the feeds again before the next lookup when
   * they were read more than {@code maxAgeNanos} ago (any thread). True when this marked them stale.
   */
  boolean expire(long maxAgeNanos) {
    long at = loadedAt;
    if (stale || at != Long.MIN_VALUE && nanoClock.getAsLong() - at <= maxAgeNanos) return false;
    stale = true;
    return true;
  }

  /** The feeds of the table, for a change whose transaction arrived at {@code txReceivedAt} (nano clock). */
  @Override
  public List<WalFeed> feedsOf(String schema, String table, long txReceivedAt) throws Exception {
    if (stale) load();
    List<WalFeed> feeds = byTable.get(key(schema, table));
    if (feeds == null && loadedAt < txReceivedAt) {
      load();
      feeds = byTable.get(key(schema, table));
    }
    return feeds == null ? List.of() : feeds;
  }

  void load() throws Exception {
    stale = false;
    long started = nanoClock.getAsLong();
    List<WalFeed> feeds = loader.load();
    byTable.clear();
    for (WalFeed f : feeds) byTable.computeIfAbsent(key(f.schema(), f.table()), k -> new ArrayList<>()).add(f);
    loadedAt = started;
  }

  private static String key(String schema, String table) {
    return schema + '\0' + table;
  }
}
