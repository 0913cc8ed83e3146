package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.WhiskfeedException;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {
  private static final FireOutcome.Retry SERVER_ERROR = new FireOutcome.Retry(503, null, "OpenWhisk answered 503");
  private static final FireOutcome.Retry NETWORK = new FireOutcome.Retry(null, null, "timeout");
  private static final FireOutcome.Retry THROTTLED = new FireOutcome.Retry(429, null, "OpenWhisk answered 429");

  private final RetryPolicy defaults = RetryPolicy.of(1, 12);

  @Test
  void doublesFromTheFirstIntervalUpToTheCap() {
    assertThat(IntStream.rangeClosed(1, 12).mapToObj(n -> defaults.nextDelay(n, SERVER_ERROR).toSeconds()))
        .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L, 300L);
  }

  @Test
  void networkFailuresBackOffAlike() {
    assertThat(defaults.nextDelay(3, NETWORK)).isEqualTo(Duration.ofSeconds(4));
    assertThat(defaults.nextDelay(3, null)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void largeAttemptCountsDoNotOverflow() {
    assertThat(defaults.nextDelay(Integer.MAX_VALUE, SERVER_ERROR)).isEqualTo(RetryPolicy.DEFAULT_CAP);
    assertThat(new RetryPolicy(Duration.ofSeconds(7), Duration.ofDays(365_000), 3).nextDelay(Integer.MAX_VALUE, NETWORK))
        .isEqualTo(Duration.ofDays(365_000));
  }

  @Test
  void startsFromRetryIntervalSec() {
    RetryPolicy p = RetryPolicy.of(5, 3);
    assertThat(p).isEqualTo(new RetryPolicy(Duration.ofSeconds(5), RetryPolicy.DEFAULT_CAP, 3));
    assertThat(p.nextDelay(1, SERVER_ERROR)).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.nextDelay(2, SERVER_ERROR)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aFirstIntervalAboveTheCapIsCapped() {
    RetryPolicy p = RetryPolicy.of(600, 3);
    assertThat(p.nextDelay(1, SERVER_ERROR)).isEqualTo(RetryPolicy.DEFAULT_CAP);
    assertThat(p.nextDelay(4, THROTTLED)).isEqualTo(RetryPolicy.DEFAULT_CAP);
  }

  @ParameterizedTest(name = "Retry-After {1}s at status {0} -> {2}s")
  @CsvSource({"503, 17, 17", "429, 17, 17", "429, 0, 0", "503, 3600, 300", "429, 86400, 300", "0, 90, 90"})
  void retryAfterIsHonouredUpToTheCap(int status, long retryAfter, long expected) {
    FireOutcome.Retry r = new FireOutcome.Retry(status == 0 ? null : status, Duration.ofSeconds(retryAfter), "x");
    assertThat(defaults.nextDelay(1, r)).isEqualTo(Duration.ofSeconds(expected));
    assertThat(defaults.nextDelay(9, r)).isEqualTo(Duration.ofSeconds(expected));
  }

  @Test
  void throttlingWaitsAtLeastAMinute() {
    assertThat(defaults.nextDelay(1, THROTTLED)).isEqualTo(Duration.ofSeconds(60));
    assertThat(defaults.nextDelay(7, THROTTLED)).isEqualTo(Duration.ofSeconds(64));
    assertThat(defaults.nextDelay(20, THROTTLED)).isEqualTo(Duration.ofSeconds(300));
    RetryPolicy smallCap = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 5);
    assertThat(smallCap.nextDelay(1, THROTTLED)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void exhaustedAfterMaxRetriesRetries() {
    RetryPolicy p = RetryPolicy.of(1, 3);
    assertThat(IntStream.rangeClosed(1, 5).mapToObj(p::exhausted)).containsExactly(false, false, false, true, true);
  }

  @Test
  void maxRetriesZeroMeansOneAttempt() {
    RetryPolicy p = RetryPolicy.of(1, 0);
    assertThat(p.exhausted(0)).isFalse();
    assertThat(p.exhausted(1)).isTrue();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> RetryPolicy.of(0, 3)).isInstanceOf(WhiskfeedException.class)
        .hasMessage("retryIntervalSec parameter must be greater than 0");
    assertThatThrownBy(() -> RetryPolicy.of(1, -1)).isInstanceOf(WhiskfeedException.class)
        .hasMessage("maxRetries parameter must be 0 or greater");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(5), 1))
        .isInstanceOf(WhiskfeedException.class);
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ZERO, 1))
        .isInstanceOf(WhiskfeedException.class);
    assertThatThrownBy(() -> defaults.nextDelay(0, SERVER_ERROR)).isInstanceOf(IllegalArgumentException.class);
  }
}
