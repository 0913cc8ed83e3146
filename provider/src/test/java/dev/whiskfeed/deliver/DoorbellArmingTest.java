package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arming against an arm statement the test answers by hand, and timers it runs when it likes. */
class DoorbellArmingTest {
  private final List<Promise<Void>> armings = new ArrayList<>();
  private final List<Long> timerMs = new ArrayList<>();
  private final List<Runnable> timers = new ArrayList<>();
  private int looks;

  private final DoorbellArming doorbell = new DoorbellArming(() -> {
    Promise<Void> armed = Promise.promise();
    armings.add(armed);
    return armed.future();
  }, (ms, action) -> {
    timerMs.add(ms);
    timers.add(action);
  }, () -> looks++);

  @Test
  void anIdleLoopArmsOnceAndLooksAtOnceAndTwiceMoreAMomentLater() {
    doorbell.idle();
    assertThat(armings).hasSize(1);
    assertThat(looks).as("not before the arming is done").isZero();
    armings.get(0).complete();
    assertThat(looks).isEqualTo(1);
    assertThat(timerMs).containsExactly(3L, 25L);
    runTimers();
    assertThat(looks).isEqualTo(3);
  }

  @Test
  void furtherIdleClaimsDoNotArmAgainUntilAClaimFoundWork() {
    doorbell.idle();
    armings.get(0).complete();
    doorbell.idle();
    doorbell.idle();
    assertThat(armings).as("the arming holds").hasSize(1);
    doorbell.foundWork();
    doorbell.idle();
    assertThat(armings).hasSize(2);
  }

  @Test
  void anArmingThatFailedIsMadeAgainAtTheNextIdleClaim() {
    doorbell.idle();
    armings.get(0).fail("connection lost");
    assertThat(looks).as("the loop still looks").isEqualTo(1);
    doorbell.idle();
    assertThat(armings).hasSize(2);
  }

  @Test
  void afterTheStoreWasOutOfReachTheNextIdleClaimArmsAgain() {
    doorbell.idle();
    armings.get(0).complete();
    doorbell.idle();
    assertThat(armings).as("the arming holds").hasSize(1);
    // a database crash empties the unlogged doorbell: the arming in force is gone with it
    doorbell.forget();
    doorbell.idle();
    assertThat(armings).hasSize(2);
  }

  @Test
  void laterLooksOfAnArmingAreDroppedOnceAClaimFoundWork() {
    doorbell.idle();
    armings.get(0).complete();
    doorbell.foundWork();
    runTimers();
    assertThat(looks).as("only the look at once").isEqualTo(1);
  }

  @Test
  void onlyTheArmingInForceLooksLater() {
    doorbell.idle();
    armings.get(0).complete();
    doorbell.foundWork();
    doorbell.idle();
    armings.get(1).complete();
    assertThat(looks).isEqualTo(2);
    runTimers();
    assertThat(looks).as("the second arming's two later looks, not the first's").isEqualTo(4);
  }

  @Test
  void aFailedArmingStillLooks() {
    doorbell.idle();
    armings.get(0).fail("connection lost");
    assertThat(looks).isEqualTo(1);
    runTimers();
    assertThat(looks).isEqualTo(3);
  }

  private void runTimers() {
    List<Runnable> due = new ArrayList<>(timers);
    timers.clear();
    due.forEach(Runnable::run);
  }
}
