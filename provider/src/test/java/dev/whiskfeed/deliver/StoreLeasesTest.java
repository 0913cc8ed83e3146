package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The leases against statements the test answers by hand, with a nano clock it sets. */
class StoreLeasesTest {
  private static final long MS = 1_000_000L;

  private long now = 1_000 * MS;
  private final List<List<Ack>> acks = new ArrayList<>();
  private final List<List<Long>> ackClaims = new ArrayList<>();
  private final List<Set<Long>> settledClaims = new ArrayList<>();
  private final List<Promise<Integer>> ackAnswers = new ArrayList<>();
  private final List<Set<Long>> renewedKnown = new ArrayList<>();
  private final List<Promise<Set<Long>>> renewAnswers = new ArrayList<>();
  private final List<String> heard = new ArrayList<>();
  private int releases;

  private final StoreLeases leases = new StoreLeases(new StoreLeases.Statements() {
    @Override
    public Future<?> ack(List<Ack> batch, List<ClaimedEvent> events, long[] settled) {
      acks.add(List.copyOf(batch));
      ackClaims.add(events.stream().map(ClaimedEvent::claim).toList());
      settledClaims.add(Arrays.stream(settled).boxed().collect(Collectors.toSet()));
      Promise<Integer> answer = Promise.promise();
      ackAnswers.add(answer);
      return answer.future();
    }

    @Override
    public Future<Set<Long>> renew(long[] known) {
      renewedKnown.add(Arrays.stream(known).boxed().collect(Collectors.toSet()));
      Promise<Set<Long>> answer = Promise.promise();
      renewAnswers.add(answer);
      return answer.future();
    }

    @Override
    public Future<Integer> releaseAll() {
      releases++;
      return Future.succeededFuture(0);
    }
  }, "me", 30_000, () -> now, (ms, action) -> { }, () -> 0, new StoreLeases.Listener() {
    @Override
    public void lost(Throwable cause) {
      heard.add("lost " + cause.getMessage());
    }

    @Override
    public void connected() {
      heard.add("connected");
    }

    @Override
    public void drained(boolean released) {
      heard.add(released ? "drained, released" : "drained");
    }
  });

  @Test
  void aClaimsEventsAreHeldPerFeedInOrderAndThoseOfAnotherHolderAreTakenOver() {
    ClaimedEvent a = event(1, null);
    ClaimedEvent b = event(2, "other");
    ClaimedEvent c = event(1, "me");
    StoreLeases.Taken taken = leases.take(List.of(a, b, c), now);
    assertThat(taken.byFeed()).containsExactly(Map.entry(1L, List.of(a, c)), Map.entry(2L, List.of(b)));
    assertThat(taken.takenOver()).containsExactly(Map.entry(2L, List.of(b)));
    assertThat(leases.size()).isEqualTo(3);
    assertThat(leases.safe(a.id())).isTrue();
  }

  @Test
  void aTakeOverIsLoggedOncePerFeedAsTheWorkerWithTheCountThePreviousHoldersAndTheFirstIds() {
    List<ClaimedEvent> got = new ArrayList<>();
    for (int i = 0; i < 12; i++) got.add(event(2, i % 2 == 0 ? "crashed" : "killed"));
    got.add(event(1, "me"));
    try (LoggedLines lines = new LoggedLines(StoreWorker.class)) {
      leases.take(got, now).logTakeOvers("orders", feed -> "/guest/feed" + feed);
      String firstTen = got.stream().limit(10).map(e -> e.id().toString()).collect(Collectors.joining(","));
      assertThat(lines.messages()).containsExactly("event=lease.expired feed=/guest/feed2 events=12 eventId="
          + firstTen + " previousHolder=crashed,killed store=orders");
      assertThat(lines.all().get(0).getLoggerName()).isEqualTo(StoreWorker.class.getName());
    }
  }

  @Test
  void anEventClaimedAgainWhileHeldOrWithItsOutcomeUnwrittenIsNotTakenTwice() {
    ClaimedEvent held = event(1, null);
    ClaimedEvent settled = event(1, null);
    leases.take(List.of(held, settled), now);
    leases.ack(Ack.delivered(settled.id(), 200, "a1"));

    now += 25_000 * MS;
    assertThat(leases.safe(held.id())).as("less than a third of its lease left").isFalse();
    StoreLeases.Taken again = leases.take(List.of(held, settled), now);
    assertThat(again.byFeed()).isEmpty();
    assertThat(leases.safe(held.id())).as("the claim renewed its lease").isTrue();
    assertThat(leases.safe(settled.id())).isFalse();
  }

  @Test
  void anOutcomeLetsItsLeaseGoAndTheWorkerHearsWhenAllAreWritten() {
    ClaimedEvent a = event(1, null);
    ClaimedEvent b = event(1, null);
    leases.take(List.of(a, b), now);
    leases.ack(Ack.delivered(a.id(), 200, "a1"));
    leases.ack(Ack.release(b.id()));
    assertThat(leases.size()).isZero();
    Future<Void> aWritten = leases.written(List.of(a));
    Future<Void> all = leases.allWritten();

    ackAnswers.get(0).complete(1);
    assertThat(aWritten.succeeded()).isTrue();
    assertThat(all.isComplete()).isFalse();
    assertThat(heard).containsExactly("connected");
    ackAnswers.get(1).complete(1);
    assertThat(all.succeeded()).isTrue();
    assertThat(heard).containsExactly("connected", "connected", "drained, released");
    assertThat(leases.idle()).isTrue();
  }

  @Test
  void aFailedOutcomeWriteIsHeardAsTheStoreLost() {
    ClaimedEvent a = event(1, null);
    leases.take(List.of(a), now);
    leases.ack(Ack.delivered(a.id(), 200, "a1"));
    ackAnswers.get(0).fail(new RuntimeException("down"));
    assertThat(heard).containsExactly("lost down");
    assertThat(leases.idle()).isFalse();
  }

  @Test
  void renewalRenewsTheEventsOfTheClaimsStillInTheStoreAsOfWhenItWasSent() {
    leases.renew();
    assertThat(renewedKnown).as("nothing held: the renewal still runs, to delete claims it does not know")
        .containsExactly(Set.of());
    renewAnswers.get(0).complete(Set.of());

    ClaimedEvent kept = event(1, null, 5);
    ClaimedEvent takenOver = event(1, null, 6);
    leases.take(List.of(kept, takenOver), now);
    now += 15_000 * MS;
    leases.renew();
    assertThat(renewedKnown.get(1)).containsExactlyInAnyOrder(5L, 6L);

    now += 10_000 * MS;
    renewAnswers.get(1).complete(Set.of(5L));
    assertThat(leases.safe(kept.id())).as("renewed as of 10 s ago").isTrue();
    assertThat(leases.safe(takenOver.id())).as("its claim is gone: another holder took it over").isFalse();
    leases.renew();
    renewAnswers.get(2).fail(new RuntimeException("timeout"));
    assertThat(heard).containsExactly("lost timeout");
  }

  @Test
  void eachOutcomeCarriesItsClaimAndAClaimGoesWithTheWriteThatSettlesItsLastEvent() {
    ClaimedEvent a = event(1, null, 5);
    ClaimedEvent b = event(1, null, 5);
    ClaimedEvent c = event(2, null, 6);
    leases.take(List.of(a, b, c), now);
    leases.ack(Ack.delivered(a.id(), 200, "a1"));
    assertThat(ackClaims.get(0)).containsExactly(5L);
    assertThat(settledClaims.get(0)).as("b of claim 5 is still held").isEmpty();
    ackAnswers.get(0).complete(1);

    leases.ack(Ack.retry(b.id(), 1_000, 500, false, "boom"));
    leases.ack(Ack.delivered(c.id(), 200, "a3"));
    assertThat(ackClaims.get(1)).containsExactly(5L);
    assertThat(settledClaims.get(1)).containsExactly(5L);
    ackAnswers.get(1).fail(new RuntimeException("down"));
    assertThat(heard).containsExactly("connected", "drained", "lost down");
  }

  @Test
  void aClaimThatTookOnlyEventsHeldAlreadyGoesWithTheNextWriteAndTheyMoveToIt() {
    ClaimedEvent first = event(1, null, 5);
    ClaimedEvent other = event(1, null, 5);
    leases.take(List.of(first, other), now);
    ClaimedEvent again = new ClaimedEvent(first.id(), 1, 1, "MANUAL", null, null, Instant.EPOCH, 0, 0, null,
        Instant.EPOCH, 7);
    ClaimedEvent listedOnly = event(1, null, 8);
    leases.take(List.of(again), now);
    leases.take(List.of(listedOnly), now);
    leases.ack(Ack.delivered(listedOnly.id(), 200, "a0"));
    assertThat(settledClaims.get(0)).as("claim 8 settled; claim 7 holds first now").containsExactly(8L);
    ackAnswers.get(0).complete(1);

    leases.ack(Ack.delivered(first.id(), 200, "a1"));
    assertThat(ackClaims.get(1)).containsExactly(7L);
    assertThat(settledClaims.get(1)).containsExactly(7L);
  }

  @Test
  void releasingHandsEveryLeaseBackAndWhoeverWaitsForAnOutcomeGoesOn() {
    ClaimedEvent a = event(1, null);
    leases.take(List.of(a), now);
    leases.ack(Ack.delivered(a.id(), 200, "a1"));
    Future<Void> written = leases.written(List.of(a));
    leases.take(List.of(event(2, null)), now);

    leases.releaseAll();
    assertThat(releases).isEqualTo(1);
    assertThat(leases.size()).isZero();
    assertThat(written.succeeded()).isTrue();
  }

  private static ClaimedEvent event(long feed, String previousHolder) {
    return event(feed, previousHolder, 1);
  }

  private static ClaimedEvent event(long feed, String previousHolder, long claim) {
    return new ClaimedEvent(UUID.randomUUID(), 1, feed, "MANUAL", null, null, Instant.EPOCH, 0, 0, previousHolder,
        Instant.EPOCH, claim);
  }
}
