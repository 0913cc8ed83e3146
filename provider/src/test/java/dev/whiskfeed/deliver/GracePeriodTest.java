package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wait against a nano clock and timers the test runs by hand. */
class GracePeriodTest {
  private static final long MS = 1_000_000L;

  private long now = 1_000 * MS;
  private boolean settled;
  private final List<Long> timerMs = new ArrayList<>();
  private final List<Runnable> timers = new ArrayList<>();

  @Test
  void workAlreadySettledEndsTheWaitAtOnce() {
    settled = true;
    assertThat(start().succeeded()).isTrue();
    assertThat(timers).isEmpty();
  }

  @Test
  void theWaitLooksAgainUntilTheWorkSettled() {
    Future<Void> done = start();
    now += 25 * MS;
    next();
    assertThat(done.isComplete()).isFalse();
    settled = true;
    next();
    assertThat(done.succeeded()).isTrue();
    assertThat(timerMs).containsExactly(25L, 25L);
  }

  @Test
  void theGraceRunningOutEndsTheWaitWhateverIsInFlight() {
    Future<Void> done = start();
    now += 1_000 * MS;
    next();
    assertThat(done.isComplete()).as("exactly the grace").isFalse();
    now += 1;
    next();
    assertThat(done.succeeded()).isTrue();
  }

  private Future<Void> start() {
    return GracePeriod.await(() -> settled, Duration.ofSeconds(1), () -> now, (ms, action) -> {
      timerMs.add(ms);
      timers.add(action);
    });
  }

  private void next() {
    timers.remove(0).run();
  }
}
