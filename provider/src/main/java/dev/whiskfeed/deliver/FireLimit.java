package dev.whiskfeed.deliver;

/**
 * How many fires may be in flight at once, following their latency (TCP Vegas's rule, as in
 * Netflix's concurrency-limits, with BBR's probe of the unloaded latency): a fire holds its slot
 * from its send until its outcomes are written, and what a kill -9 fires again is what held a slot
 * at that moment. Against a fast OpenWhisk the engine's own queues (the event loop, the
 * acknowledgement writes) are what a slot waits in, and more slots add latency, not throughput;
 * against a slow one (seconds per fire) latency does not grow with the slots, and they are what
 * carries the throughput.
 *
 * <p>Each round of {@code limit} fires compares their mean slot time with the unloaded one (the
 * lowest round mean since the last probe): {@code queued = limit × (1 − unloaded / mean)} estimates
 * how many of the slots only wait. Fewer than {@code log10(limit)} waiting: the limit grows by half
 * (by {@code log10(limit)} while latency falls from one round to the next: a system getting faster,
 * say a fresh JVM's compiler at work, is not one that needs more fires); fewer than
 * {@code 3·log10(limit)}: by {@code log10(limit)}; more than {@code 6·log10(limit)}: it
 * sheds half of those waiting (at least {@code log10(limit)}). A limit not half used does not grow (the load, not the limit, is
 * what holds the fires back).
 *
 * <p>Latency that grows with the load cannot be told from latency that rose for good (a slower
 * OpenWhisk) but by trying fewer fires: every {@link #PROBE_EVERY_ROUNDS} rounds the limit drops to
 * its minimum until the fires sent before have come back, one round at that limit measures the
 * unloaded latency afresh, and the limit goes back to where it was. Between the configured minimum
 * ({@code WHISKFEED_MIN_CONCURRENT_FIRES}; its default is {@code Config}'s) and maximum; it starts at
 * {@link #START} (or within the bounds); a minimum equal to the maximum fixes it. Pure; event loop only.
 */
final class FireLimit {
  static final int START = 32;
  static final int PROBE_EVERY_ROUNDS = 100;

  private final int max;
  private final int min;
  private double limit;
  private double unloaded = Double.MAX_VALUE;
  private double lastMean = Double.MAX_VALUE;
  private int rounds;
  /** While probing: the limit to go back to (0: not probing), and the fires still to come back before it measures. */
  private double probingFrom;
  private int probeSkip;
  private long roundNanos;
  private int roundFires;
  private int roundMostInFlight;

  /** Bounds {@code min} (at most {@code max}) and {@code max}: equal, the limit never moves. */
  FireLimit(int min, int max) {
    this.max = max;
    this.min = Math.min(min, max);
    this.limit = Math.max(this.min, Math.min(max, START));
  }

  /** The fires that may be in flight now. */
  int current() {
    return (int) limit;
  }

  /** A fire gave back its slot after holding it {@code heldNanos}; {@code inFlight} counted it. */
  void held(long heldNanos, int inFlight) {
    if (min == max) return;
    if (probeSkip > 0) {
      probeSkip--;
      return;
    }
    roundNanos += heldNanos;
    roundFires++;
    roundMostInFlight = Math.max(roundMostInFlight, inFlight);
    if (roundFires < current()) return;
    double mean = (double) roundNanos / roundFires;
    boolean used = roundMostInFlight * 2 >= current();
    roundNanos = 0;
    roundFires = 0;
    roundMostInFlight = 0;
    if (probingFrom > 0) {
      unloaded = mean;
      limit = probingFrom;
      probingFrom = 0;
    } else if (++rounds % PROBE_EVERY_ROUNDS == 0 && limit > min) {
      probingFrom = limit;
      probeSkip = current();
      limit = min;
    } else {
      // at the floor, every probe's round is a measure of the unloaded latency already
      unloaded = rounds % PROBE_EVERY_ROUNDS == 0 ? mean : Math.min(unloaded, mean);
      limit = next(limit, unloaded, mean, used, mean < 0.9 * lastMean);
    }
    lastMean = mean;
  }

  private double next(double limit, double unloaded, double mean, boolean used, boolean falling) {
    double log = Math.max(1, Math.log10(limit));
    double queued = limit * (1 - unloaded / mean);
    double next = limit;
    if (queued > 6 * log) {
      next = limit - Math.max(log, queued / 2);
    } else if (used && queued < log && !falling) {
      next = limit * 1.5;
    } else if (used && queued < 3 * log) {
      next = limit + log;
    }
    return Math.max(min, Math.min(max, next));
  }
}
