package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClaimPlannerTest {
  private static final long MS = 1_000_000L;
  private static final Instant T0 = Instant.parse("2026-11-22T06:00:00Z");
  private static final long[] FEEDS = {1, 2, 3};

  private long now = 5_000 * MS;
  private final ClaimPlanner planner = new ClaimPlanner(() -> now);

  @ParameterizedTest(name = "room {0} -> limit {1}")
  @CsvSource({"-3, -3", "0, 0", "1, 1", "1999, 1999", "2000, 2000", "2001, 2000", "50000, 2000"})
  void claimsNoMoreThanTheRoomAndNeverMoreThanTheLimit(int room, int limit) {
    assertThat(ClaimPlanner.limit(room)).isEqualTo(limit);
  }

  @ParameterizedTest(name = "{0} fire slots, largest batch {1} -> holds {2}")
  @CsvSource({"256, 1, 1000", "2000, 1, 4000", "256, 10, 1000", "256, 40, 2000", "256, 100, 5000",
      "256, 1000, 5000", "4000, 1000, 8000"})
  void holdsEnoughForTheFireSlotsAndForFiftyBatchesOfTheLargestBatchWithinABound(int fires, int batch, int held) {
    assertThat(ClaimPlanner.maxHeld(fires, batch)).isEqualTo(held);
  }

  @Test
  void theFirstClaimIsFullAndTheNextOnesReadFromItsFloorUntilASecondHasPassed() {
    ClaimPlanner.Claim first = planner.plan(100, FEEDS);
    assertThat(first.full()).isTrue();
    assertThat(first.feeds()).containsExactly(FEEDS);
    planner.claimed(first, List.of(event(2, 30), event(1, 10), event(3, 20)), 3);

    now += 999 * MS;
    ClaimPlanner.Claim between = planner.plan(100, FEEDS);
    assertThat(between.full()).isFalse();
    // what was due before the newest it took was taken or is held
    assertThat(between.floor()).isEqualTo(T0.plusSeconds(30));
    planner.claimed(between, List.of(event(1, 40), event(2, 35)), 2);
    assertThat(planner.plan(100, FEEDS).floor()).isEqualTo(T0.plusSeconds(40));

    now += MS;
    assertThat(planner.plan(100, FEEDS).full()).isTrue();
  }

  @Test
  void aClaimBetweenFullOnesThatFoundNothingKeepsTheFloor() {
    planner.claimed(planner.plan(100, FEEDS), List.of(event(1, 10), event(2, 20)), 2);
    now += 10 * MS;
    planner.claimed(planner.plan(100, FEEDS), List.of(), 0);
    now += 10 * MS;
    assertThat(planner.plan(100, FEEDS).floor()).isEqualTo(T0.plusSeconds(20));
  }

  @Test
  void aWakeForEverythingMakesTheNextClaimFull() {
    planner.claimed(planner.plan(100, FEEDS), List.of(), 0);
    now += 10 * MS;
    planner.fullNext();
    assertThat(planner.plan(100, FEEDS).full()).isTrue();
    now += 10 * MS;
    assertThat(planner.plan(100, FEEDS).full()).isFalse();
  }

  @Test
  void aFullClaimThatFoundNothingLeavesNoFloor() {
    planner.claimed(planner.plan(100, FEEDS), List.of(event(1, 10)), 1);
    now += 1_000 * MS;
    planner.claimed(planner.plan(100, FEEDS), List.of(), 0);
    now += 10 * MS;
    assertThat(planner.plan(100, FEEDS).floor()).isNull();
  }

  @Test
  void aClaimBetweenFullOnesThatFoundNothingAsksForAFullOneWhenTheSecondIsUp() {
    planner.claimed(planner.plan(100, FEEDS), List.of(event(1, 10)), 1);
    now += 300 * MS;
    ClaimPlanner.Looked looked = planner.claimed(planner.plan(100, FEEDS), List.of(), 0);
    assertThat(looked.fullClaimInMs()).isEqualTo(700);
    assertThat(looked.lookAgain()).isFalse();
  }

  @Test
  void aFullClaimOrOneThatFoundWorkAsksForNoFullOne() {
    assertThat(planner.claimed(planner.plan(100, FEEDS), List.of(), 0).fullClaimInMs()).isEqualTo(-1);
    now += 10 * MS;
    assertThat(planner.claimed(planner.plan(100, FEEDS), List.of(event(1, 1)), 1).fullClaimInMs()).isEqualTo(-1);
  }

  @ParameterizedTest(name = "limit {0}, took {1} -> again {2}, cut short {3}")
  @CsvSource({
    "100,  0,   false, false",
    "100,  1,   true,  false",
    "100,  100, true,  true",
    "2000, 1,   true,  false",
    "2000, 2000, true, false",
  })
  void looksAgainAtOnceAfterWorkAndIsCutShortWhenTheRoomWasTheLimit(int limit, int took, boolean again,
                                                                     boolean cutShort) {
    List<ClaimedEvent> got = new ArrayList<>();
    for (int i = 0; i < took; i++) got.add(event(1 + i % 3, i));
    ClaimPlanner.Looked looked = planner.claimed(planner.plan(limit, FEEDS), got, took);
    assertThat(looked.lookAgain()).isEqualTo(again);
    assertThat(looked.cutShort()).isEqualTo(cutShort);
  }

  @Test
  void eventsOfOrderedFeedsAndProbesCountTowardsTheRoom() {
    ClaimPlanner.Looked looked = planner.claimed(planner.plan(10, FEEDS), List.of(event(1, 1)), 10);
    assertThat(looked.cutShort()).isTrue();
    assertThat(looked.lookAgain()).isTrue();
  }

  @Test
  void aFeedThatTookHalfOfAFilledClaimIsLeftOutOfEveryOtherClaim() {
    planner.claimed(planner.plan(4, FEEDS), List.of(event(2, 1), event(2, 2), event(1, 3), event(3, 4)), 4);

    now += 10 * MS;
    ClaimPlanner.Claim excluding = planner.plan(4, FEEDS);
    assertThat(excluding.excluding()).isTrue();
    assertThat(excluding.feeds()).containsExactly(1, 3);
    ClaimPlanner.Looked looked = planner.claimed(excluding, List.of(event(1, 5)), 1);
    assertThat(looked.lookAgain()).isTrue();

    now += 10 * MS;
    ClaimPlanner.Claim next = planner.plan(4, FEEDS);
    assertThat(next.excluding()).isFalse();
    assertThat(next.feeds()).containsExactly(FEEDS);
  }

  @Test
  void aClaimThatDidNotFillItsRoomSeesNoBacklog() {
    planner.claimed(planner.plan(100, FEEDS), List.of(event(2, 1), event(2, 2), event(1, 3)), 3);
    now += 10 * MS;
    assertThat(planner.plan(100, FEEDS).excluding()).isFalse();
  }

  @Test
  void aClaimThatLeftTheBacklogOutAndFoundNothingElseLooksAgainButExcludesOnlyAMomentLater() {
    planner.claimed(planner.plan(2, FEEDS), List.of(event(2, 1), event(2, 2)), 2);
    now += 10 * MS;
    ClaimPlanner.Claim excluding = planner.plan(2, FEEDS);
    assertThat(excluding.excluding()).isTrue();
    assertThat(planner.claimed(excluding, List.of(), 0).lookAgain()).isTrue();

    now += 10 * MS;
    ClaimPlanner.Claim withBacklog = planner.plan(2, FEEDS);
    assertThat(withBacklog.excluding()).isFalse();
    planner.claimed(withBacklog, List.of(event(2, 3), event(2, 4)), 2);

    now += 200 * MS;
    assertThat(planner.plan(2, FEEDS).excluding()).isFalse();
    now += 50 * MS;
    assertThat(planner.plan(2, FEEDS).excluding()).isTrue();
  }

  @Test
  void aClaimThatLeftFeedsOutSetsNoFloor() {
    planner.claimed(planner.plan(2, FEEDS), List.of(event(2, 10), event(2, 11)), 2);
    now += 1_000 * MS;
    ClaimPlanner.Claim excludingFull = planner.plan(2, FEEDS);
    assertThat(excludingFull.full()).isTrue();
    assertThat(excludingFull.excluding()).isTrue();
    planner.claimed(excludingFull, List.of(event(1, 50)), 1);
    now += 10 * MS;
    assertThat(planner.plan(2, FEEDS).floor()).isEqualTo(T0.plusSeconds(11));
  }

  @Test
  void whenOnlyTheBacklogIsClaimableNothingIsLeftOut() {
    planner.claimed(planner.plan(2, FEEDS), List.of(event(2, 1), event(2, 2)), 2);
    now += 10 * MS;
    ClaimPlanner.Claim claim = planner.plan(2, new long[] {2});
    assertThat(claim.excluding()).isFalse();
    assertThat(claim.feeds()).containsExactly(2);
  }

  private static ClaimedEvent event(long feed, int dueSecond) {
    return new ClaimedEvent(UUID.randomUUID(), dueSecond, feed, "INSERT", null, null, T0, 0, 0, null,
        T0.plusSeconds(dueSecond), 0);
  }

  @Test
  void aSliverOfRoomWaitsForAQuarterOrATenthOfASecondSinceTheLastClaim() {
    assertThat(planner.worthClaiming(1000, 1000)).as("no claim yet").isTrue();
    planner.plan(1000, new long[] {1});
    assertThat(planner.worthClaiming(250, 1000)).isTrue();
    assertThat(planner.worthClaiming(249, 1000)).as("a few events freed by one outcome write").isFalse();
    now += ClaimPlanner.SLIVER_AFTER_NS - 1;
    assertThat(planner.worthClaiming(249, 1000)).isFalse();
    now += 1;
    assertThat(planner.worthClaiming(1, 1000)).as("another feed's new event waits no longer").isTrue();
    assertThat(planner.worthClaiming(0, 1000)).isFalse();
  }

  @Test
  void eventsTricklingInCloseTogetherGatherForAMillisecondWhileALoneEventIsClaimedAgainAtOnce() {
    ClaimPlanner.Looked lone = planner.claimed(planner.plan(100, FEEDS), List.of(event(1, 1)), 1);
    assertThat(lone.lookAgain()).isTrue();
    assertThat(lone.gatherMs()).as("the first event after a quiet moment").isZero();
    now += 10 * MS; // 100 events/s: one event every 10 ms
    assertThat(planner.claimed(planner.plan(100, FEEDS), List.of(event(1, 2)), 1).gatherMs()).isZero();
    now += 1 * MS;  // 1,000 events/s
    assertThat(planner.claimed(planner.plan(100, FEEDS), List.of(event(2, 3)), 1).gatherMs())
        .isEqualTo(ClaimPlanner.GATHER_MS);
  }

  @Test
  void aClaimThatTookSeveralEventsOrNoneLooksAgainWithoutWaiting() {
    planner.claimed(planner.plan(100, FEEDS), List.of(event(1, 1)), 1);
    now += MS;
    List<ClaimedEvent> several = List.of(event(1, 2), event(2, 2), event(3, 2), event(1, 3));
    assertThat(planner.claimed(planner.plan(100, FEEDS), several, ClaimPlanner.FEW).gatherMs()).isZero();
    now += MS;
    ClaimPlanner.Looked none = planner.claimed(planner.plan(100, FEEDS), List.of(), 0);
    assertThat(none.lookAgain()).isFalse();
    assertThat(none.gatherMs()).isZero();
  }
}
