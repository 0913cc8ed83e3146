package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MINUTE = 60 * SECOND;
  private long now = 5 * SECOND + 123;
  private int instances = 1;

  private Pacer pacer(int firesPerMinute) {
    return new Pacer(firesPerMinute, () -> instances, () -> now);
  }

  /** Starts fires of "ns" as fast as the pacer lets them (with some idle gaps) until {@code until}; their start times. */
  private List<Long> fireGreedily(Pacer pacer, long until, long seed) {
    Random random = new Random(seed);
    List<Long> starts = new ArrayList<>();
    while (now < until) {
      long wait = pacer.delay("ns");
      if (wait == 0) {
        pacer.started("ns");
        pacer.answered("ns", false, null);
        starts.add(now);
        if (random.nextInt(10) == 0) now += random.nextInt(3) * SECOND; // the namespace goes quiet a moment
      } else {
        now += wait;
      }
    }
    return starts;
  }

  private static int mostInAnyRollingMinute(List<Long> starts) {
    int most = 0;
    for (int i = 0, first = 0; i < starts.size(); i++) {
      while (starts.get(i) - starts.get(first) >= MINUTE) first++;
      most = Math.max(most, i - first + 1);
    }
    return most;
  }

  @Test
  void aFixedPaceIsNeverExceededInAnyRollingMinuteAndIsUsed() {
    Pacer pacer = pacer(60);
    List<Long> starts = fireGreedily(pacer, now + 10 * MINUTE, 1);
    assertThat(mostInAnyRollingMinute(starts)).isLessThanOrEqualTo(60);
    assertThat(starts.size()).as("ten minutes at 60 a minute, less the quiet moments").isGreaterThan(500);
  }

  @Test
  void aFixedPaceIsSpreadOverTheMinuteNotSpentAtItsStart() {
    Pacer pacer = pacer(60);
    long start = now;
    List<Long> starts = fireGreedily(pacer, now + 10 * SECOND, 2);
    assertThat(starts).as("a burst of 6, then one a second").hasSizeBetween(10, 17);
    assertThat(starts.get(starts.size() - 1) - start).isGreaterThan(8 * SECOND);
  }

  @Test
  void aFixedPaceIsSharedByTheLiveInstances() {
    instances = 2;
    Pacer pacer = pacer(60);
    assertThat(pacer.pace("ns")).isEqualTo(30.0);
    List<Long> starts = fireGreedily(pacer, now + 5 * MINUTE, 3);
    assertThat(mostInAnyRollingMinute(starts)).isLessThanOrEqualTo(30);
    instances = 3;
    assertThat(pacer.pace("ns")).isEqualTo(20.0);
  }

  @Test
  void aFixedPaceBelowOneFireAMinuteStillLetsOneGo() {
    instances = 4;
    Pacer pacer = pacer(2);
    List<Long> starts = fireGreedily(pacer, now + 10 * MINUTE, 4);
    assertThat(mostInAnyRollingMinute(starts)).isEqualTo(1);
    assertThat(starts.size()).as("half a fire a minute").isBetween(4, 6);
  }

  @Test
  void adaptiveFiresFreelyUntilA429() {
    Pacer pacer = pacer(0);
    for (int i = 0; i < 5000; i++) {
      assertThat(pacer.delay("ns")).isZero();
      pacer.started("ns");
      pacer.answered("ns", false, null);
    }
    assertThat(pacer.pace("ns")).isZero();
  }

  @Test
  void adaptivePacesANamespaceAtWhatSucceededInTheMinuteBeforeIts429() {
    Pacer pacer = pacer(0);
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pacer.started("ns");
      starts.add(now);
      pacer.answered("ns", false, null);
      now += SECOND / 2;
    }
    pacer.started("ns");
    starts.add(now);
    pacer.answered("ns", true, null);
    assertThat(pacer.pace("ns")).isEqualTo(40.0);
    assertThat(pacer.pace("other")).as("other namespaces are not paced").isZero();
    assertThat(pacer.delay("other")).isZero();
    assertThat(pacer.delay("ns")).as("the last minute's fires count against the pace").isPositive();
    starts.addAll(fireGreedily(pacer, now + 55 * SECOND, 5)); // before the pace is raised
    assertThat(mostInAnyRollingMinute(starts)).as("the 41 fires up to the 429, then the pace")
        .isLessThanOrEqualTo(41);
    assertThat(mostInAnyRollingMinute(starts.subList(41, starts.size()))).isLessThanOrEqualTo(40);
  }

  @Test
  void a429WhilePacedLowersThePaceOnceForTheFiresAnsweredTogether() {
    Pacer pacer = pacer(0);
    for (int i = 0; i < 40; i++) pacer.answered("ns", false, null);
    pacer.answered("ns", true, null);
    now += 10 * SECOND;
    for (int i = 0; i < 3; i++) pacer.answered("ns", true, null);
    assertThat(pacer.pace("ns")).isEqualTo(30.0);
  }

  @Test
  void retryAfterHoldsTheNamespaceInEitherMode() {
    for (int firesPerMinute : new int[] {0, 600}) {
      Pacer pacer = pacer(firesPerMinute);
      for (int i = 0; i < 600; i++) pacer.answered("ns", false, null);
      pacer.answered("ns", true, Duration.ofSeconds(30));
      assertThat(pacer.delay("ns")).as("mode %d", firesPerMinute).isBetween(29 * SECOND, 30 * SECOND);
      assertThat(pacer.delay("other")).isZero();
      now += 30 * SECOND;
      assertThat(pacer.delay("ns")).as("mode %d", firesPerMinute).isZero();
    }
  }

  @Test
  void a429WithNothingLetThroughInTheLastMinutePacesNothing() {
    Pacer pacer = pacer(0);
    pacer.answered("ns", false, null);
    now += 61 * SECOND;
    pacer.started("ns");
    pacer.answered("ns", true, null);
    assertThat(pacer.pace("ns")).isZero();
    assertThat(pacer.delay("ns")).isZero();
    pacer.answered("ns", true, Duration.ofSeconds(2));
    assertThat(pacer.delay("ns")).as("its Retry-After still holds").isEqualTo(2 * SECOND);
  }

  @Test
  void anAbsurdRetryAfterIsCappedAtFiveMinutes() {
    Pacer pacer = pacer(0);
    pacer.answered("ns", true, Duration.ofDays(2));
    assertThat(pacer.delay("ns")).isEqualTo(Pacer.MAX_RETRY_AFTER.toNanos());
  }

  @Test
  void adaptiveRelaxesByHalfEachMinuteWithoutA429AndIsUnpacedAfterFive() {
    Pacer pacer = pacer(0);
    for (int i = 0; i < 20; i++) pacer.answered("ns", false, null);
    pacer.answered("ns", true, null);
    List<Double> paces = new ArrayList<>();
    for (int minute = 0; minute < Pacer.RELAX_STEPS; minute++) {
      paces.add(pacer.pace("ns"));
      now += MINUTE;
    }
    assertThat(paces).containsExactly(20.0, 30.0, 45.0, 67.5, 101.25);
    assertThat(pacer.pace("ns")).isZero();
    for (int i = 0; i < 1000; i++) {
      assertThat(pacer.delay("ns")).isZero();
      pacer.started("ns");
    }
  }

  @Test
  void aNegativePaceIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pacer(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theWindowCountsTheLastSixtySecondsAndTheCurrentOne() {
    Pacer.Window w = new Pacer.Window();
    w.add(0);
    w.add(30 * SECOND + 500);
    assertThat(w.total(60 * SECOND)).isEqualTo(2);
    assertThat(w.total(61 * SECOND)).isEqualTo(1);
    assertThat(w.untilBelow(61 * SECOND, 1)).isEqualTo(30 * SECOND);
    assertThat(w.total(200 * SECOND)).isZero();
  }
}
