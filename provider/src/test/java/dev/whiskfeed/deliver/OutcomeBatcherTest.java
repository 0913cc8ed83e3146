package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The batcher against a write function the test answers by hand, and timers it runs when it likes. */
class OutcomeBatcherTest {
  private final List<List<Ack>> writes = new ArrayList<>();
  private final List<Promise<Void>> answers = new ArrayList<>();
  private final List<Long> timerMs = new ArrayList<>();
  private final List<Runnable> timers = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();
  private final List<String> written = new ArrayList<>();
  /** Fires sent whose answer has not come (the engine's count). */
  private int unanswered;

  private final OutcomeBatcher batcher = new OutcomeBatcher(batch -> {
    writes.add(List.copyOf(batch));
    Promise<Void> answer = Promise.promise();
    answers.add(answer);
    return answer.future();
  }, (ms, action) -> {
    timerMs.add(ms);
    timers.add(action);
  }, () -> unanswered, new OutcomeBatcher.Listener() {
    @Override
    public void failed(Throwable cause) {
      failures.add(cause);
    }

    @Override
    public void written(List<Ack> batch, boolean drained) {
      written.add(batch.size() + (drained ? " drained" : " more"));
    }
  });

  @Test
  void anOutcomeRecordedWhileNothingIsBeingWrittenIsWrittenAtOnceAlone() {
    Ack a = delivered();
    batcher.add(a);
    assertThat(writes).containsExactly(List.of(a));
  }

  @Test
  void whileOtherFiresAwaitTheirAnswersAnOutcomeWaitsAMillisecondForThemToJoinIt() {
    unanswered = 3;
    Ack a = delivered();
    batcher.add(a);
    assertThat(writes).isEmpty();
    assertThat(timerMs).containsExactly(OutcomeBatcher.LINGER_MS);
    Ack b = delivered();
    batcher.add(b); // no second timer
    assertThat(timers).hasSize(1);

    timers.get(0).run();
    assertThat(writes).containsExactly(List.of(a, b));
  }

  @Test
  void theLastAnswerAwaitedEndsTheWaitAtOnce() {
    unanswered = 1;
    Ack a = delivered();
    batcher.add(a);
    unanswered = 0;
    Ack b = delivered();
    batcher.add(b);
    assertThat(writes).containsExactly(List.of(a, b));

    timers.get(0).run(); // the wait's timer finds nothing left to write
    assertThat(writes).hasSize(1);
  }

  @Test
  void outcomesRecordedDuringAWriteGoTogetherAsOneStatementWhenItCommitted() {
    Ack a = delivered();
    Ack b = delivered();
    Ack c = Ack.retry(UUID.randomUUID(), 1000, 500, false, "down");
    batcher.add(a);
    batcher.add(b);
    batcher.add(c);
    assertThat(writes).hasSize(1);

    answers.get(0).complete();
    assertThat(writes).containsExactly(List.of(a), List.of(b, c));
    assertThat(written).containsExactly("1 more");

    answers.get(1).complete();
    assertThat(written).containsExactly("1 more", "2 drained");
    assertThat(batcher.idle()).isTrue();
  }

  @Test
  void anOutcomesFutureCompletesOnlyWhenItsWriteCommitted() {
    Ack a = delivered();
    Ack b = delivered();
    batcher.add(a);
    batcher.add(b);
    Future<Void> first = batcher.written(List.of(event(a)));
    Future<Void> both = batcher.allWritten();
    assertThat(batcher.unwritten(a.id())).isTrue();

    answers.get(0).complete();
    assertThat(first.succeeded()).isTrue();
    assertThat(batcher.unwritten(a.id())).isFalse();
    assertThat(both.isComplete()).isFalse();
    assertThat(batcher.written(List.of(event(b))).isComplete()).isFalse();

    answers.get(1).complete();
    assertThat(both.succeeded()).isTrue();
    assertThat(batcher.written(List.of(event(a), event(b))).succeeded()).isTrue();
  }

  @Test
  void aFailedWriteIsTriedAgainAfterAGrowingBackoffAndNoOutcomeIsLost() {
    Ack a = delivered();
    Ack b = delivered();
    batcher.add(a);
    Future<Void> aWritten = batcher.written(List.of(event(a)));
    RuntimeException down = new RuntimeException("connection refused");
    answers.get(0).fail(down);
    assertThat(failures).containsExactly(down);
    assertThat(aWritten.isComplete()).isFalse();
    assertThat(batcher.idle()).isFalse();

    // recorded while the retry waits: it goes with the failed outcomes, after them
    batcher.add(b);
    assertThat(writes).hasSize(1);
    for (int i = 1; i <= 8; i++) {
      timers.get(i - 1).run();
      assertThat(writes.get(i)).containsExactly(a, b);
      answers.get(i).fail(down);
    }
    assertThat(timerMs).containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L);
    assertThat(aWritten.isComplete()).isFalse();

    timers.get(8).run();
    answers.get(9).complete();
    assertThat(aWritten.succeeded()).isTrue();
    assertThat(written).containsExactly("2 drained");
    assertThat(batcher.idle()).isTrue();

    // a success starts the backoff over
    Ack c = delivered();
    batcher.add(c);
    answers.get(10).fail(down);
    assertThat(timerMs).endsWith(50L);
  }

  @Test
  void aStopWaitsUntilEveryOutcomeIsWrittenAndForgettingLetsTheWaitersGo() {
    assertThat(batcher.idle()).isTrue();
    Ack a = delivered();
    Ack b = delivered();
    batcher.add(a);
    batcher.add(b);
    Future<Void> all = batcher.allWritten();
    assertThat(batcher.idle()).isFalse();

    answers.get(0).complete();
    assertThat(batcher.idle()).isFalse();

    batcher.forgetAll();
    assertThat(all.succeeded()).isTrue();
    assertThat(batcher.unwritten(b.id())).isFalse();
    // what was queued is still written
    answers.get(1).complete();
    assertThat(writes).containsExactly(List.of(a), List.of(b));
    assertThat(batcher.idle()).isTrue();
  }

  @Test
  void theWriteInFlightIsNotAmongTheQueuedOutcomes() {
    Ack a = delivered();
    Ack b = delivered();
    batcher.add(a);
    batcher.add(b);
    assertThat(writes).containsExactly(List.of(a));
    answers.get(0).complete();
    assertThat(writes.get(1)).containsExactly(b);
  }

  private static Ack delivered() {
    return Ack.delivered(UUID.randomUUID(), 200, "act");
  }

  private static ClaimedEvent event(Ack a) {
    Instant now = Instant.parse("2026-11-22T06:00:00Z");
    return new ClaimedEvent(a.id(), 1, 1, "INSERT", null, null, now, 0, 0, null, now, 0);
  }
}
