package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class FireLimitTest {
  /** The floor the provider runs with by default ({@code WHISKFEED_MIN_CONCURRENT_FIRES}). */
  private static final int FLOOR = 8;

  private static final long MS = 1_000_000;

  /** Runs {@code rounds} rounds of fires, every slot in use, each held as long as {@code heldAt(limit)} says. */
  private static void rounds(FireLimit limit, int rounds, IntToLongFunction heldAt) {
    for (int r = 0; r < rounds; r++) {
      int n = limit.current();
      for (int i = 0; i < n; i++) limit.held(heldAt.applyAsLong(n), n);
    }
  }

  @Test
  void aSlowOpenWhiskWhoseLatencyDoesNotGrowGetsEverySlot() {
    FireLimit limit = new FireLimit(FLOOR, 256);
    assertThat(limit.current()).isEqualTo(FireLimit.START);
    rounds(limit, 10, n -> 2_000 * MS);
    assertThat(limit.current()).isEqualTo(256);
  }

  @Test
  void whereMoreSlotsOnlyAddWaitingTheLimitSettlesNearWhatTheThroughputNeeds() {
    // 20 fires in flight carry all the throughput there is (10,000/s at 2 ms); every slot beyond
    // them adds a tenth of a millisecond of waiting
    FireLimit limit = new FireLimit(FLOOR, 256);
    rounds(limit, 300, n -> (long) (Math.max(2.0, n / 10.0) * MS));
    assertThat(limit.current()).isBetween(20, 40);
  }

  @Test
  void latencyFallingRoundAfterRoundGrowsTheLimitGently() {
    // a fresh JVM: every round faster than the last (the compiler at work), nothing waiting
    FireLimit limit = new FireLimit(FLOOR, 256);
    double[] ms = {40};
    for (int r = 0; r < 10; r++) {
      int n = limit.current();
      long held = (long) (ms[0] * MS);
      for (int i = 0; i < n; i++) limit.held(held, n);
      ms[0] *= 0.8;
    }
    assertThat(limit.current()).as("32 and ten steps of log10").isLessThan(60);
  }

  @Test
  void aLimitTheLoadDoesNotUseDoesNotGrow() {
    FireLimit limit = new FireLimit(FLOOR, 256);
    for (int i = 0; i < 1000; i++) limit.held(5 * MS, 3);
    assertThat(limit.current()).isEqualTo(FireLimit.START);
  }

  @Test
  void latencyThatRoseForGoodBecomesTheNewNormal() {
    FireLimit limit = new FireLimit(FLOOR, 256);
    rounds(limit, 20, n -> MS);
    // OpenWhisk got slower for good, the same at any number of fires: after the baseline is
    // measured afresh, the limit grows back
    rounds(limit, 2 * FireLimit.PROBE_EVERY_ROUNDS, n -> 50 * MS);
    java.util.Set<Integer> seen = new java.util.TreeSet<>();
    for (int r = 0; r < 60; r++) {
      rounds(limit, 1, n -> 50 * MS);
      seen.add(limit.current());
    }
    assertThat(seen).as("all slots, but while it probes").containsAnyOf(256).isSubsetOf(FLOOR, 256);
  }

  @Test
  void staysWithinItsBounds() {
    // every fire in flight adds a millisecond to each: more slots never carry more
    FireLimit limit = new FireLimit(FLOOR, 256);
    rounds(limit, 500, n -> n * MS);
    assertThat(limit.current()).isBetween(FLOOR, 16);

    FireLimit small = new FireLimit(FLOOR, 4);
    assertThat(small.current()).isEqualTo(4);
    rounds(small, 50, n -> 10L * n * MS);
    assertThat(small.current()).isEqualTo(4);
  }

  @Test
  void aHigherMinimumIsAFloorForTheProbeAndTheShrinkingAlike() {
    FireLimit limit = new FireLimit(64, 256);
    assertThat(limit.current()).as("starts within its bounds").isEqualTo(64);
    rounds(limit, 500, n -> n * MS);
    assertThat(limit.current()).isBetween(64, 100);
  }

  @Test
  void aFixedLimitNeverMoves() {
    FireLimit limit = new FireLimit(256, 256);
    rounds(limit, 20, n -> n * MS);
    assertThat(limit.current()).isEqualTo(256);
  }
}
