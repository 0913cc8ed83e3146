package dev.whiskfeed.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class HookRateLimiterTest {
  /** A clock the test moves by hand. */
  static final class TickingClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void tick(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TickingClock clock = new TickingClock();
  final HookRateLimiter limiter = new HookRateLimiter(clock, 100);

  @Test
  void offByDefault() {
    for (int i = 0; i < 10_000; i++) assertThat(limiter.admit(1, 0)).isZero();
  }

  @Test
  void aSecondsWorthPassesInABurstThenTheRefillRate() {
    for (int i = 0; i < 5; i++) assertThat(limiter.admit(1, 5)).as("request " + i).isZero();
    assertThat(limiter.admit(1, 5)).isEqualTo(1);
    clock.tick(Duration.ofMillis(199));
    assertThat(limiter.admit(1, 5)).isEqualTo(1);
    clock.tick(Duration.ofMillis(1));
    assertThat(limiter.admit(1, 5)).isZero();
    assertThat(limiter.admit(1, 5)).isEqualTo(1);
    clock.tick(Duration.ofSeconds(10));
    for (int i = 0; i < 5; i++) assertThat(limiter.admit(1, 5)).isZero();
    assertThat(limiter.admit(1, 5)).isEqualTo(1);
  }

  @Test
  void retryAfterIsTheWholeSecondsUntilTheNextToken() {
    assertThat(limiter.admit(1, 1)).isZero();
    assertThat(limiter.admit(1, 1)).isEqualTo(1);
    clock.tick(Duration.ofMillis(10));
    assertThat(limiter.admit(1, 1)).isEqualTo(1);
    clock.tick(Duration.ofMillis(990));
    assertThat(limiter.admit(1, 1)).isZero();
  }

  @Test
  void hooksHaveTheirOwnBucketsAndAChangedRateStartsAFreshOne() {
    assertThat(limiter.admit(1, 1)).isZero();
    assertThat(limiter.admit(2, 1)).isZero();
    assertThat(limiter.admit(1, 1)).isEqualTo(1);
    assertThat(limiter.admit(1, 2)).isZero();
  }

  @Test
  void forgetsTheLeastRecentlySeenHooksBeyondItsBound() {
    HookRateLimiter small = new HookRateLimiter(clock, 2);
    assertThat(small.admit(1, 1)).isZero();
    assertThat(small.admit(2, 1)).isZero();
    assertThat(small.admit(3, 1)).isZero();
    // hook 1 was dropped: it starts with a full bucket again
    assertThat(small.admit(1, 1)).isZero();
    assertThat(small.admit(3, 1)).isEqualTo(1);
  }
}
