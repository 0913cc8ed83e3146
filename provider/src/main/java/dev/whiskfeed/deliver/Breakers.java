package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimedEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Circuit breakers of the feeds whose fires keep failing. After {@link #OPEN_AFTER} failed fires in
 * a row (server errors, timeouts, network failures; a 429 is the answer of a working OpenWhisk and
 * breaks the row), a feed's events are no longer claimed, except one probe event at a time once the
 * probe interval has passed: the feed's retry interval, doubling with every failed probe, at most
 * {@link #MAX_PROBE_INTERVAL} or the feed's retry interval when that is longer (a {@code Retry-After}
 * counts as the interval). The first success closes the breaker.
 *
 * <p>So an outage costs OpenWhisk one request per feed and interval instead of one per event and
 * retry, and the events that wait meanwhile are not attempted: they keep all their retries, however
 * long the outage lasts. Ordered feeds have no breaker: they fire one event at a time anyway.
 * Event loop only.
 */
final class Breakers {
  static final int OPEN_AFTER = 5;
  static final Duration MAX_PROBE_INTERVAL = Duration.ofSeconds(10);

  private static final class Breaker {
    /** When the next probe may be claimed (nanoTime), or, while one is out, when to stop waiting for it. */
    long probeAt;
    /** The current probe interval: the wait after the last failed probe (or the opening failure). */
    long intervalMs;
    int failedProbes;
    /** The probe in flight; {@link #CLAIMING} while its claim runs; null when none is out. */
    UUID probe;
  }

  private static final UUID CLAIMING = new UUID(0, 0);

  private final LongSupplier nanos;
  private final LongConsumer wakeInMs;
  /** How long a probe may stay out before another one goes (a lost fire must not keep the breaker shut). */
  private final long probeExpiryNs;
  private final Map<Long, Integer> failuresInARow = new HashMap<>();
  private final Map<Long, Breaker> open = new HashMap<>();

  /**
   * @param wakeInMs asks for a claim in that many milliseconds, when a probe comes due
   * @param probeExpiry how long a probe may stay out (its lease) before another one is claimed
   */
  Breakers(LongSupplier nanos, LongConsumer wakeInMs, Duration probeExpiry) {
    this.nanos = nanos;
    this.wakeInMs = wakeInMs;
    this.probeExpiryNs = probeExpiry.toNanos();
  }

  /**
   * A fire of {@code t} failed with {@code r} (not a 429). Returns the probe interval when this
   * failure opened the breaker, else null.
   */
  Duration failed(Target t, FireOutcome.Retry r, List<ClaimedEvent> events) {
    int inARow = failuresInARow.merge(t.id(), 1, Integer::sum);
    Breaker b = open.get(t.id());
    if (b == null) {
      if (t.ordered() || inARow < OPEN_AFTER) return null;
      Breaker opened = new Breaker();
      open.put(t.id(), opened);
      return schedule(t, r, opened);
    }
    if (b.probe != null && events.stream().anyMatch(e -> e.id().equals(b.probe))) {
      b.failedProbes++;
      schedule(t, r, b);
    }
    return null;
  }

  /** A fire of {@code feedId} was answered by a working OpenWhisk. True when that closed its breaker. */
  boolean answered(long feedId) {
    failuresInARow.remove(feedId);
    return open.remove(feedId) != null;
  }

  /** The feed is disabled or gone. */
  void forget(long feedId) {
    failuresInARow.remove(feedId);
    open.remove(feedId);
  }

  /** {@code feeds} without those whose breaker is open (the same array when none is). */
  long[] closed(long[] feeds) {
    if (open.isEmpty()) return feeds;
    return Arrays.stream(feeds).filter(f -> !open.containsKey(f)).toArray();
  }

  /** Of {@code feeds}, those with an open breaker whose next probe may be claimed now; marked as being claimed. */
  long[] probesDue(long[] feeds) {
    if (open.isEmpty()) return new long[0];
    long now = nanos.getAsLong();
    return open.entrySet().stream()
        .filter(e -> now - e.getValue().probeAt >= 0 && Arrays.binarySearch(feeds, e.getKey()) >= 0)
        .mapToLong(e -> {
          e.getValue().probe = CLAIMING;
          e.getValue().probeAt = now + probeExpiryNs;
          return e.getKey();
        }).toArray();
  }

  /**
   * The probe claim of {@code feedId} took {@code event}, or nothing (null: no event of the feed is
   * due; the next look comes after the current interval).
   */
  void probing(long feedId, UUID event) {
    Breaker b = open.get(feedId);
    if (b == null || b.probe != CLAIMING) return;
    if (event != null) {
      b.probe = event;
      return;
    }
    nextProbeIn(b, b.intervalMs);
  }

  /** Whether a fire of these events may go: always, unless the feed's breaker is open and this is not its probe. */
  boolean mayFire(long feedId, List<ClaimedEvent> events) {
    Breaker b = open.get(feedId);
    return b == null || b.probe != null && events.size() == 1 && events.get(0).id().equals(b.probe);
  }

  private Duration schedule(Target t, FireOutcome.Retry r, Breaker b) {
    RetryPolicy policy = t.retryPolicy();
    Duration longest = policy.first().compareTo(MAX_PROBE_INTERVAL) > 0 ? policy.first() : MAX_PROBE_INTERVAL;
    Duration wait = policy.nextDelay(b.failedProbes + 1, r);
    if (wait.compareTo(longest) > 0) wait = longest;
    b.intervalMs = wait.toMillis();
    nextProbeIn(b, b.intervalMs);
    return wait;
  }

  /** No probe out; the next one may be claimed in {@code ms}. */
  private void nextProbeIn(Breaker b, long ms) {
    b.probe = null;
    b.probeAt = nanos.getAsLong() + ms * 1_000_000;
    wakeInMs.accept(ms);
  }
}
