package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.EventStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher with a pace of one fire a minute, a nano clock the test sets, timers it runs when
 * it likes, and fire slots that record the fires they start.
 */
class FireDispatcherTest {
  private static final Target FEED = new Target(7, "ns", "trigger", "webhook", "key", "active", "control", 0, 2, 10,
      60, 3, 1_000_000, false);

  private long now = 1_000_000_000L;
  private boolean running = true;
  private final List<Fire> started = new ArrayList<>();
  private final List<Long> timerMs = new ArrayList<>();
  private final List<Runnable> timers = new ArrayList<>();
  private final FeedRegistry registry = FixedFeeds.registry(FEED);
  private final FireDispatcher dispatcher = new FireDispatcher(registry, new Breakers(() -> now, ms -> { },
      Duration.ofSeconds(30)), new Pacer(1, () -> 1, () -> now), new FireSlots(new FireLimit(8, 8),
      started::add, () -> { }), (t, dead) -> { }, (ms, action) -> {
        timerMs.add(ms);
        timers.add(action);
      }, 8, () -> running);
  /** A worker of a store with no feed: a wake of it claims nothing. */
  private final StoreWorker worker = new StoreWorker(null, new EventStore("elsewhere", null, null), registry, null,
      dispatcher, "me", 30_000);

  FireDispatcherTest() {
    registry.loadAll();
  }

  @Test
  void aWorkerMayHoldTheEnginesShareButNotWhileTheEngineIsStopped() {
    int maxHeld = ClaimPlanner.maxHeld(8, registry.largestBatch());
    assertThat(dispatcher.room(0)).isEqualTo(maxHeld);
    assertThat(dispatcher.maxHeld()).isEqualTo(maxHeld);
    assertThat(dispatcher.room(maxHeld - 10)).isEqualTo(10);
    assertThat(dispatcher.room(maxHeld + 10)).isZero();
    running = false;
    assertThat(dispatcher.room(0)).isZero();
  }

  @Test
  void aFeedsEventsGoToSlotsAsFiresOfItsBatchSizeAndOnceItsNamespacesPaceIsSpentTheyWait() {
    dispatcher.dispatch(worker, Map.of(FEED.id(), events(4)));
    assertThat(started).extracting(f -> f.events().size()).as("the pace counts starts").containsExactly(3, 1);
    dispatcher.pacing().started(started.get(0));
    dispatcher.dispatch(worker, Map.of(FEED.id(), events(3)));
    assertThat(started).hasSize(2);
    assertThat(dispatcher.pacing().waitingEvents()).isEqualTo(3);
    int maxHeld = ClaimPlanner.maxHeld(8, registry.largestBatch());
    assertThat(dispatcher.room(maxHeld)).as("what waits for the pace is not counted").isEqualTo(3);
    assertThat(dispatcher.claimable(new long[] {FEED.id(), 8})).as("a full fire waits").containsExactly(8);
  }

  @Test
  void whenThePaceAllowsTheWaitingFiresGoAsOneToASlot() {
    dispatcher.dispatch(worker, Map.of(FEED.id(), events(1)));
    dispatcher.pacing().started(started.get(0));
    dispatcher.dispatch(worker, Map.of(FEED.id(), events(1)));
    dispatcher.dispatch(worker, Map.of(FEED.id(), events(1)));
    assertThat(timerMs).hasSize(1);

    timers.remove(0).run();
    assertThat(started).as("woken early: the pace is not spent yet").hasSize(1);
    now += timerMs.get(timerMs.size() - 1) * 1_000_000;
    timers.remove(0).run();
    assertThat(started).hasSize(2);
    assertThat(started.get(1).events()).as("topped up").hasSize(2);
    assertThat(dispatcher.pacing().waitingEvents()).isZero();
  }

  @Test
  void aStoppedEngineLetsNoWaitingFireGo() {
    dispatcher.dispatch(worker, Map.of(FEED.id(), events(1)));
    dispatcher.pacing().started(started.get(0));
    dispatcher.dispatch(worker, Map.of(FEED.id(), events(1)));
    running = false;
    now += 120_000_000_000L;
    timers.remove(0).run();
    assertThat(started).hasSize(1);
  }

  private static List<ClaimedEvent> events(int n) {
    List<ClaimedEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(new ClaimedEvent(UUID.randomUUID(), i, FEED.id(), "INSERT", "{\"name\": \"orders\"}",
          "{\"new\": {\"n\": " + i + "}, \"old\": null}", Instant.EPOCH, 0, 0, null, null, 0));
    }
    return events;
  }
}
