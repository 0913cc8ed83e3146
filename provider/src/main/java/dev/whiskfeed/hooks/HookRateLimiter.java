package dev.whiskfeed.hooks;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code rateLimitPerSec} as a token bucket per hook: up to one second's worth of requests in a burst,
 * refilled continuously. The buckets live in this instance's memory, so N provider instances behind
 * a load balancer admit up to N times the rate. Buckets of hooks not seen for a while are dropped
 * first when there are more than {@code maxHooks}. Used from one event loop only.
 */
public final class HookRateLimiter {
  private final Clock clock;
  private final Map<Long, Bucket> buckets;

  public HookRateLimiter(Clock clock, int maxHooks) {
    this.clock = clock;
    this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Bucket> eldest) {
        return size() > maxHooks;
      }
    };
  }

  /** 0 when the request may pass (it takes a token), else the whole seconds to wait before the next one will. */
  public long admit(long hookId, int perSec) {
    if (perSec <= 0) return 0;
    long now = clock.millis();
    Bucket bucket = buckets.get(hookId);
    if (bucket == null || bucket.perSec != perSec) {
      bucket = new Bucket(perSec, perSec, now);
      buckets.put(hookId, bucket);
    }
    bucket.refill(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSec));
  }

  private static final class Bucket {
    final int perSec;
    double tokens;
    long at;

    Bucket(int perSec, double tokens, long at) {
      this.perSec = perSec;
      this.tokens = tokens;
      this.at = at;
    }

    void refill(long now) {
      if (now > at) {
        tokens = Math.min(perSec, tokens + (now - at) * perSec / 1000.0);
        at = now;
      }
    }
  }
}
