package dev.whiskfeed.deliver;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * How fast fires of each OpenWhisk namespace may start on this instance (API.md, "Fire pacing").
 * OpenWhisk counts a namespace's trigger fires per minute (60 by default) and answers 429 above
 * that; a fire that is sure to be refused is better not sent.
 *
 * <p>A paced namespace obeys two rules at once. A <b>window</b> of per-second counts over the
 * current second and the sixty before it lets no more fires start than the pace allows in any
 * rolling minute: that is the guarantee, whatever the timing, and it also holds against
 * OpenWhisk's own per-minute count. A <b>token bucket</b> (burst a tenth of the pace, at least one;
 * refilled at the pace) spreads the starts over the minute: without it a minute's fires would go
 * in its first seconds, and the events of the rest of the minute would wait for the next one
 * instead of being gathered into fires every second or so.
 *
 * <p>With {@code firesPerMinute} above 0 every namespace is paced at it, shared by the live
 * instances ({@code firesPerMinute / instances} here; see {@link InstanceCount}). With 0 (adaptive),
 * a namespace is not paced until it is answered 429; it is then paced at the fires that succeeded
 * here in the minute before (what this instance saw the limit let through; none: no pace, as
 * nothing about the limit was observed), a later 429 lowers
 * that by a quarter, and every minute without one raises it by half, until after
 * {@link #RELAX_STEPS} such minutes the namespace is unpaced again. In both modes a
 * {@code Retry-After} holds the namespace's fires until it has passed.
 *
 * <p>Pure: time comes from the injected nano clock, nothing is scheduled here. Event loop only.
 */
final class Pacer {
  static final long MINUTE_NS = 60_000_000_000L;
  private static final long SECOND_NS = 1_000_000_000L;
  /** Minutes without a 429 after which an adaptively paced namespace fires freely again. */
  static final int RELAX_STEPS = 5;
  /** 429s answered within this long of the one that lowered the pace were sent before it: they lower nothing. */
  private static final long SAME_THROTTLE_NS = 2 * SECOND_NS;
  /** A Retry-After holds a namespace at most this long (the retry policy caps an event's wait likewise). */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  private final int firesPerMinute;
  private final IntSupplier instances;
  private final LongSupplier nanos;
  private final Map<String, Namespace> namespaces = new HashMap<>();

  /**
   * @param firesPerMinute the pace of every namespace over all instances, or 0 for adaptive
   * @param instances the live instances sharing a fixed pace (at least 1 is assumed)
   */
  Pacer(int firesPerMinute, IntSupplier instances, LongSupplier nanos) {
    if (firesPerMinute < 0) throw new IllegalArgumentException("firesPerMinute must not be negative");
    this.firesPerMinute = firesPerMinute;
    this.instances = instances;
    this.nanos = nanos;
  }

  /** Nanoseconds until a fire of {@code namespace} may start; 0: now. Counts nothing. */
  long delay(String namespace) {
    long now = nanos.getAsLong();
    Namespace ns = namespace(namespace, now);
    long wait = Math.max(0, ns.resumeAt - now);
    double pace = pace(ns);
    if (pace <= 0) return wait;
    wait = Math.max(wait, ns.starts.untilBelow(now, windowLimit(pace)));
    ns.refill(now, pace);
    if (ns.tokens < 1) wait = Math.max(wait, (long) Math.ceil((1 - ns.tokens) * MINUTE_NS / pace));
    return wait;
  }

  /** A fire of {@code namespace} starts now ({@link #delay} said it may). */
  void started(String namespace) {
    long now = nanos.getAsLong();
    Namespace ns = namespace(namespace, now);
    ns.starts.add(now);
    double pace = pace(ns);
    if (pace > 0) {
      ns.refill(now, pace);
      ns.tokens -= 1;
    }
  }

  /**
   * What a fire of {@code namespace} came to: a delivery counts as let through, a 429 throttles.
   * True when a 429 changed the namespace's pace (worth a log line).
   */
  boolean answered(String namespace, FireOutcome outcome) {
    if (outcome instanceof FireOutcome.Delivered) {
      answered(namespace, false, null);
    } else if (outcome instanceof FireOutcome.Retry r && r.throttled()) {
      double before = pace(namespace);
      answered(namespace, true, r.retryAfter());
      return pace(namespace) != before;
    }
    return false;
  }

  /** A fire of {@code namespace} was answered: 429 ({@code throttled}, with its Retry-After or null) or not. */
  void answered(String namespace, boolean throttled, Duration retryAfter) {
    long now = nanos.getAsLong();
    Namespace ns = namespace(namespace, now);
    if (!throttled) {
      ns.succeeded.add(now);
      return;
    }
    if (retryAfter != null && !retryAfter.isNegative()) {
      long until = now + Math.min(retryAfter.toNanos(), MAX_RETRY_AFTER.toNanos());
      if (until - ns.resumeAt > 0) ns.resumeAt = until;
    }
    if (firesPerMinute > 0) return;
    if (ns.adaptive > 0 && now - ns.lowered < SAME_THROTTLE_NS) return;
    int observed = ns.succeeded.total(now);
    // nothing let through here lately: no limit was observed (the namespace's fires went elsewhere, or
    // the 429 means something else); the Retry-After and the events' own backoff are all it gets
    if (ns.adaptive == 0 && observed == 0) return;
    ns.adaptive = ns.adaptive > 0 ? Math.max(1, Math.min(Math.max(1, observed), ns.adaptive) * 3 / 4) : observed;
    ns.lowered = now;
    ns.calmSince = now;
    ns.steps = 0;
    // the pace starts now: no burst on top of the fires that just met the limit
    ns.tokens = 0;
    ns.refilledAt = now;
  }

  /** The fires a minute {@code namespace} is paced at on this instance; 0: unpaced. */
  double pace(String namespace) {
    return pace(namespace(namespace, nanos.getAsLong()));
  }

  private double pace(Namespace ns) {
    if (firesPerMinute > 0) return (double) firesPerMinute / Math.max(1, instances.getAsInt());
    return ns.adaptive;
  }

  /** Whole fires the window lets start per rolling minute: at least one, or nothing would ever go. */
  private static int windowLimit(double pace) {
    return Math.max(1, (int) Math.floor(pace));
  }

  private Namespace namespace(String name, long now) {
    Namespace ns = namespaces.computeIfAbsent(name, n -> new Namespace(now));
    if (ns.adaptive > 0 && now - ns.calmSince >= MINUTE_NS) {
      ns.calmSince = now;
      if (++ns.steps >= RELAX_STEPS) {
        ns.adaptive = 0;
        ns.steps = 0;
      } else {
        ns.adaptive *= 1.5;
      }
    }
    return ns;
  }

  private static final class Namespace {
    final Window starts = new Window();
    /** Fires answered by anything but a 429, by second: what the limit let through lately. */
    final Window succeeded = new Window();
    /** The adaptive pace (fires a minute); 0: unpaced. */
    double adaptive;
    /** No fire starts before this (nanoTime): a Retry-After. */
    long resumeAt;
    /** The last 429 or raise of the adaptive pace. */
    long calmSince;
    long lowered;
    int steps;
    double tokens;
    long refilledAt;

    Namespace(long now) {
      resumeAt = now;
      refilledAt = now;
      tokens = Double.MAX_VALUE;
    }

    void refill(long now, double pace) {
      double burst = Math.max(1, Math.floor(pace / 10));
      tokens = Math.min(burst, tokens + (now - refilledAt) * pace / MINUTE_NS);
      refilledAt = now;
    }
  }

  /**
   * Counts per second over the current second and the sixty before it. A count is kept until its
   * second is more than sixty seconds old, so it is seen by every rolling minute that may hold it.
   */
  static final class Window {
    private static final int SECONDS = 61;
    private final int[] counts = new int[SECONDS];
    private long newest = Long.MIN_VALUE;

    void add(long nanos) {
      long second = roll(nanos);
      counts[slot(second)]++;
    }

    int total(long nanos) {
      roll(nanos);
      int sum = 0;
      for (int c : counts) sum += c;
      return sum;
    }

    /** Nanoseconds until fewer than {@code limit} counts are in the window; 0 when they are already. */
    long untilBelow(long nanos, int limit) {
      long second = roll(nanos);
      int excess = total(nanos) - limit + 1;
      if (excess <= 0) return 0;
      for (long s = second - SECONDS + 1; s <= second; s++) {
        excess -= counts[slot(s)];
        if (excess <= 0) return Math.max(1, (s + SECONDS) * SECOND_NS - nanos);
      }
      throw new IllegalStateException("window total and counts disagree");
    }

    private long roll(long nanos) {
      long second = Math.floorDiv(nanos, SECOND_NS);
      if (newest == Long.MIN_VALUE || second - newest >= SECONDS) {
        java.util.Arrays.fill(counts, 0);
      } else {
        for (long s = newest + 1; s <= second; s++) counts[slot(s)] = 0;
      }
      if (newest == Long.MIN_VALUE || second > newest) newest = second;
      return newest;
    }

    private static int slot(long second) {
      return (int) Math.floorMod(second, (long) SECONDS);
    }
  }
}
