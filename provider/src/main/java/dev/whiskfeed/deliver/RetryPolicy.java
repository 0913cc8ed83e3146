package dev.whiskfeed.deliver;

import dev.whiskfeed.error.WhiskfeedException;
import java.time.Duration;

/**
 * When to try a fire again, as a pure function of the attempts made and the last answer: doubling
 * from {@code first}, never longer than {@code cap}; a {@code Retry-After} wins (up to the cap);
 * a 429 without one waits at least a minute, because OpenWhisk's trigger rate limit is per minute.
 *
 * @param maxRetries retries after the first attempt; 0 means a single attempt
 */
public record RetryPolicy(Duration first, Duration cap, int maxRetries) {
  public static final Duration DEFAULT_CAP = Duration.ofMinutes(5);
  static final Duration THROTTLED_FLOOR = Duration.ofSeconds(60);

  public RetryPolicy {
    if (first == null || first.isNegative() || first.isZero()) {
      throw WhiskfeedException.invalid("the first retry interval must be greater than 0");
    }
    if (cap == null || cap.isNegative() || cap.isZero()) {
      throw WhiskfeedException.invalid("the retry cap must be greater than 0");
    }
    if (maxRetries < 0) throw WhiskfeedException.invalid("maxRetries parameter must be 0 or greater");
  }

  /**
   * From the feed parameters {@code retryIntervalSec} and {@code maxRetries}, capped at 5 minutes
   * (API.md), even when {@code retryIntervalSec} alone is longer.
   */
  public static RetryPolicy of(int retryIntervalSec, int maxRetries) {
    if (retryIntervalSec <= 0) throw WhiskfeedException.invalid("retryIntervalSec parameter must be greater than 0");
    return new RetryPolicy(Duration.ofSeconds(retryIntervalSec), DEFAULT_CAP, maxRetries);
  }

  /**
   * The wait before the next attempt.
   *
   * @param attemptsMade attempts so far, including the one that just failed (at least 1)
   * @param answer the failed attempt's outcome; null is treated as a plain failure
   */
  public Duration nextDelay(int attemptsMade, FireOutcome.Retry answer) {
    if (attemptsMade < 1) throw new IllegalArgumentException("attemptsMade must be at least 1, was " + attemptsMade);
    if (answer != null && answer.retryAfter() != null) return min(answer.retryAfter(), cap);
    Duration backoff = exponential(attemptsMade);
    if (answer != null && answer.throttled()) return min(max(backoff, THROTTLED_FLOOR), cap);
    return backoff;
  }

  /** True when no attempt is left: {@code maxRetries} retries after the first attempt are used up. */
  public boolean exhausted(int attemptsMade) {
    return attemptsMade > maxRetries;
  }

  // first * 2^(attemptsMade-1), doubling step by step so a large attemptsMade cannot overflow.
  private Duration exponential(int attemptsMade) {
    Duration delay = first;
    for (int i = 1; i < attemptsMade && delay.compareTo(cap) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return min(delay, cap);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
