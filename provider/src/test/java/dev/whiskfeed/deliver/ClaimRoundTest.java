package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A round against statements the test answers by hand. */
class ClaimRoundTest {
  private static final FireOutcome.Retry SERVER_ERROR = new FireOutcome.Retry(503, null, "503");

  private long now = 1_000_000_000L;
  private final Breakers breakers = new Breakers(() -> now, ms -> { }, Duration.ofSeconds(30));
  private final List<String> ran = new ArrayList<>();
  private final Map<String, Promise<List<ClaimedEvent>>> answers = new HashMap<>();
  private final ClaimRound.Statements statements = new ClaimRound.Statements() {
    @Override
    public Future<List<ClaimedEvent>> unordered(ClaimPlanner.Claim plan) {
      return statement("unordered " + plan.feeds().length);
    }

    @Override
    public Future<List<ClaimedEvent>> ordered(long[] feeds) {
      return statement("ordered " + feeds.length);
    }

    @Override
    public Future<List<ClaimedEvent>> probe(long feed) {
      return statement("probe " + feed);
    }
  };

  @Test
  void theStatementsRunTogetherAndTheirEventsComeAsOneInTheirOrder() {
    open(7);
    open(9);
    long[] probes = breakers.probesDue(new long[] {7, 9});
    Future<ClaimRound.Taken> round = ClaimRound.run(statements, claim(1, 2), new long[] {3}, probes, breakers);
    assertThat(ran).containsExactly("unordered 2", "ordered 1", "probe 7", "probe 9");

    ClaimedEvent probe7 = event(7);
    answers.get("probe 7").complete(List.of(probe7));
    answers.get("probe 9").complete(List.of());
    ClaimedEvent o = event(3);
    answers.get("ordered 1").complete(List.of(o));
    assertThat(round.isComplete()).isFalse();
    ClaimedEvent u1 = event(1);
    ClaimedEvent u2 = event(2);
    answers.get("unordered 2").complete(List.of(u1, u2));

    assertThat(round.result().unordered()).containsExactly(u1, u2);
    assertThat(round.result().all()).containsExactly(u1, u2, o, probe7);
    assertThat(breakers.mayFire(7, List.of(probe7))).as("the probe claimed is out").isTrue();
    assertThat(breakers.probesDue(new long[] {7, 9})).as("7's probe is out; 9 found none, its next is later")
        .isEmpty();
  }

  @Test
  void aKindOfFeedWithNoneToClaimRunsNoStatement() {
    Future<ClaimRound.Taken> round = ClaimRound.run(statements, claim(), new long[0], new long[0], breakers);
    assertThat(ran).isEmpty();
    assertThat(round.result().all()).isEmpty();

    ClaimRound.run(statements, claim(), new long[] {3}, new long[0], breakers);
    assertThat(ran).containsExactly("ordered 1");
  }

  @Test
  void aFailedRoundFailsWholeAndItsProbesFoundNothing() {
    open(7);
    long[] probes = breakers.probesDue(new long[] {7});
    Future<ClaimRound.Taken> round = ClaimRound.run(statements, claim(1), new long[0], probes, breakers);
    answers.get("probe 7").complete(List.of(event(7)));
    RuntimeException down = new RuntimeException("connection refused");
    answers.get("unordered 1").fail(down);

    assertThat(round.cause()).isSameAs(down);
    assertThat(breakers.probesDue(new long[] {7})).as("no probe is out: the next is due after the interval")
        .isEmpty();
    now += 1_000_000_000L;
    assertThat(breakers.probesDue(new long[] {7})).containsExactly(7);
  }

  private Future<List<ClaimedEvent>> statement(String name) {
    ran.add(name);
    Promise<List<ClaimedEvent>> answer = Promise.promise();
    answers.put(name, answer);
    return answer.future();
  }

  private void open(long feed) {
    Target t = new Target(feed, "ns", "t" + feed, "webhook", "key", "active", "control", 0, 12, 1, 30, 1, 1_000_000,
        false);
    for (int i = 0; i < Breakers.OPEN_AFTER; i++) breakers.failed(t, SERVER_ERROR, List.of(event(feed)));
    now += 60_000_000_000L;
  }

  private ClaimPlanner.Claim claim(long... feeds) {
    return new ClaimPlanner.Claim(100, feeds, true, false, null, now);
  }

  private static ClaimedEvent event(long feed) {
    return new ClaimedEvent(UUID.randomUUID(), 1, feed, "MANUAL", null, null, Instant.EPOCH, 0, 0, null, Instant.EPOCH, 0);
  }
}
