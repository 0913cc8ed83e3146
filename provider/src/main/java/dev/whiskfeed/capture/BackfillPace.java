package dev.whiskfeed.capture;

import java.util.ArrayDeque;

/**
 * How long a backfill waits after each chunk, so that it runs at full speed on a quiet database
 * and gives way while others write. The signal is the database's own commit count
 * ({@code pg_stat_database}): while other transactions commit (more than
 * {@link #BUSY_COMMITS_PER_SEC} a second over the last {@link #WINDOW_NANOS}, the backfill's own
 * commits left out), a backfill works {@link #BUSY_SHARE_PERCENT} % of the time: after a chunk that
 * took t it waits 19 t. Otherwise it waits the operator's minimum ({@code WHISKFEED_BACKFILL_PAUSE_MS}).
 * A run starts as if the database were busy, until the first window says otherwise. The busy pause
 * never goes past {@link #MAX_PAUSE_MS} (or the minimum, if that is higher). Pure: the caller reads
 * the counter, measures and waits.
 */
final class BackfillPace {
  static final double BUSY_COMMITS_PER_SEC = 100;
  static final int BUSY_SHARE_PERCENT = 5;
  static final long WINDOW_NANOS = 2_000_000_000L;
  static final long MAX_PAUSE_MS = 5_000;

  private final long minPauseMs;
  private final long maxPauseMs;
  /** (nano time, others' commits so far) samples over the last window and one before it. */
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();
  private boolean busy = true;
  private long own;

  BackfillPace(long minPauseMs) {
    this.minPauseMs = Math.max(0, minPauseMs);
    this.maxPauseMs = Math.max(MAX_PAUSE_MS, this.minPauseMs);
  }

  /**
   * The pause after a chunk that took {@code chunkNanos}, given at {@code nowNanos} the database's
   * commit count ({@code dbCommits}, a running count) and how many of its commits since the last
   * call were this backfill's ({@code ownCommits}: the chunk's, the progress record's, the count's
   * own read).
   */
  long after(long chunkNanos, long nowNanos, long dbCommits, int ownCommits) {
    own += ownCommits;
    long othersCommits = dbCommits - own;
    samples.addLast(new long[] {nowNanos, othersCommits});
    // keep the newest sample at least a window old, to measure over the whole window
    while (samples.size() > 2) {
      long[] second = samples.stream().skip(1).findFirst().orElseThrow();
      if (nowNanos - second[0] < WINDOW_NANOS) break;
      samples.removeFirst();
    }
    long[] oldest = samples.getFirst();
    long span = nowNanos - oldest[0];
    if (span >= WINDOW_NANOS) {
      double perSecond = (othersCommits - oldest[1]) * 1e9 / span;
      busy = perSecond > BUSY_COMMITS_PER_SEC;
    }
    return pauseMs(chunkNanos);
  }

  private long pauseMs(long chunkNanos) {
    if (!busy) return minPauseMs;
    long share = chunkNanos / 1_000_000 * (100 - BUSY_SHARE_PERCENT) / BUSY_SHARE_PERCENT;
    return Math.min(maxPauseMs, Math.max(minPauseMs, share));
  }

  /** The pause when the count could not be read: as while busy, and nothing learnt. */
  long unread(long chunkNanos) {
    boolean was = busy;
    busy = true;
    long pause = pauseMs(chunkNanos);
    busy = was;
    return pause;
  }

  boolean busy() {
    return busy;
  }
}
