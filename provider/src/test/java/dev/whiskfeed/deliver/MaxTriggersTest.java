package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reservations against a control database the test answers by hand. */
class MaxTriggersTest {
  private static final Target FEED = new Target(7, "ns", "trigger", "webhook", "key", "active", "control", 3, 2, 10,
      60, 1, 1_000_000, false);
  private static final FireOutcome DELIVERED = new FireOutcome.Delivered(202, "a1");
  private static final FireOutcome DOWN = new FireOutcome.Retry(503, null, "down");

  private final List<Long> reservations = new ArrayList<>();
  private final List<Promise<Optional<long[]>>> answers = new ArrayList<>();
  private final List<String> done = new ArrayList<>();
  private final MaxTriggers maxTriggers = new MaxTriggers(id -> {
    reservations.add(id);
    Promise<Optional<long[]>> answer = Promise.promise();
    answers.add(answer);
    return answer.future();
  }, f -> done.add("send " + f.ids()), f -> done.add("hand back " + f.ids()), t -> done.add("disable " + t.id()));

  @Test
  void aFireGoesOnceOneOfTheFeedsFiresIsReserved() {
    Fire fire = fire();
    maxTriggers.reserve(fire, FEED);
    assertThat(reservations).containsExactly(7L);
    assertThat(done).isEmpty();

    answers.get(0).complete(Optional.of(new long[] {1, 3}));
    assertThat(done).containsExactly("send " + fire.ids());
    assertThat(maxTriggers.lastAllowed(7, DELIVERED, true)).isFalse();
  }

  @Test
  void theLastAllowedFireDisablesTheFeedOnceItIsDelivered() {
    Fire fire = fire();
    maxTriggers.reserve(fire, FEED);
    answers.get(0).complete(Optional.of(new long[] {3, 3}));
    assertThat(done).containsExactly("send " + fire.ids());

    assertThat(maxTriggers.lastAllowed(8, DELIVERED, false)).as("another feed").isFalse();
    assertThat(maxTriggers.lastAllowed(7, DELIVERED, true)).isTrue();
    assertThat(maxTriggers.lastAllowed(7, DELIVERED, true)).as("asked once").isFalse();
  }

  @Test
  void anAnswerToAReservedFireEndsTheWaitForTheLastOneWhateverItWas() {
    maxTriggers.reserve(fire(), FEED);
    answers.get(0).complete(Optional.of(new long[] {3, 3}));
    assertThat(maxTriggers.lastAllowed(7, DOWN, false)).as("neither delivered nor reserved").isFalse();
    assertThat(maxTriggers.lastAllowed(7, DOWN, true)).isTrue();
    assertThat(maxTriggers.lastAllowed(7, DELIVERED, true)).isFalse();
  }

  @Test
  void aFeedWithNoFireLeftIsDisabledAndTheEventsGoBack() {
    Fire fire = fire();
    maxTriggers.reserve(fire, FEED);
    answers.get(0).complete(Optional.empty());
    assertThat(done).containsExactly("disable 7", "hand back " + fire.ids());
  }

  @Test
  void aFailedReservationGivesTheEventsBackForLater() {
    Fire fire = fire();
    maxTriggers.reserve(fire, FEED);
    answers.get(0).fail(new RuntimeException("control database down"));
    assertThat(done).containsExactly("hand back " + fire.ids());
  }

  private static Fire fire() {
    ClaimedEvent e = new ClaimedEvent(UUID.randomUUID(), 1, FEED.id(), "MANUAL", null, null, Instant.EPOCH, 0, 0, null,
        Instant.EPOCH, 0);
    return new Fire(null, FEED, List.of(e), List.of(Buffer.buffer("{}")));
  }
}
