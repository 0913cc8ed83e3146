package dev.whiskfeed.deliver;

import java.time.Duration;

/**
 * When to try a failed fire again: exponential from {@code first}, capped; a {@code Retry-After}
 * is honoured up to the cap; a 429 without one waits at least a minute (OpenWhisk's throttle window).
 */
public record RetryPolicy(Duration first, Duration cap, int maxRetries) {
  public static final Duration DEFAULT_CAP = Duration.ofMinutes(5);
  static final Duration THROTTLE_FLOOR = Duration.ofSeconds(60);

  public static RetryPolicy of(int retryIntervalSec, int maxRetries) {
    return new RetryPolicy(Duration.ofSeconds(retryIntervalSec), DEFAULT_CAP, maxRetries);
  }

  /** The wait after the {@code attemptsMade}-th attempt (1-based) failed with {@code r}. */
  public Duration nextDelay(int attemptsMade, FireOutcome.Retry r) {
    if (r.retryAfter() != null) return min(r.retryAfter(), cap);
    int shift = Math.min(Math.max(attemptsMade - 1, 0), 30);
    Duration backoff = min(first.multipliedBy(1L << shift), cap);
    if (r.throttled()) return min(max(backoff, THROTTLE_FLOOR), cap);
    return backoff;
  }

  /** True when {@code attemptsMade} attempts used up the first try and every retry. */
  public boolean exhausted(int attemptsMade) {
    return attemptsMade > maxRetries;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
