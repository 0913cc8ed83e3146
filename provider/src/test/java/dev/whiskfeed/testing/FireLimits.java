package dev.whiskfeed.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenWhisk's trigger-fire throttle for the stand-in: a namespace with a limit accepts that many fires in any rolling
 * minute and answers the others 429 with a {@code Retry-After} (whole seconds until the oldest counted fire is a
 * minute old). Refused fires do not count. Thread-safe.
 */
final class FireLimits {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final Map<String, Integer> perMinute = new HashMap<>();
  private final Map<String, ArrayDeque<Instant>> accepted = new HashMap<>();

  synchronized void limit(String namespace, int firesPerMinute) {
    perMinute.put(namespace, firesPerMinute);
  }

  /** Null when a fire of {@code namespace} at {@code at} is within its limit (it is counted), else the Retry-After seconds. */
  synchronized Long admit(String namespace, Instant at) {
    Integer limit = perMinute.get(namespace);
    if (limit == null) return null;
    ArrayDeque<Instant> fires = accepted.computeIfAbsent(namespace, n -> new ArrayDeque<>());
    while (!fires.isEmpty() && !fires.peekFirst().plus(MINUTE).isAfter(at)) fires.pollFirst();
    if (fires.size() < limit) {
      fires.addLast(at);
      return null;
    }
    long ms = Duration.between(at, fires.peekFirst().plus(MINUTE)).toMillis();
    return Math.max(1, (ms + 999) / 1000);
  }

  synchronized void clear() {
    perMinute.clear();
    accepted.clear();
  }
}
