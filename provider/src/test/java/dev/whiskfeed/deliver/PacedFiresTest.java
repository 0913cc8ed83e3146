package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PacedFiresTest {
  private long now = 1_000_000_000L;
  private long seq;
  private final List<String> wakes = new ArrayList<>();
  private long lastWakeIn;
  /** One fire a minute per namespace: after one start, everything waits. */
  private final PacedFires paced = new PacedFires(new Pacer(1, () -> 1, () -> now), Fire::regroup, (ns, nanos) -> {
    wakes.add(ns);
    lastWakeIn = nanos;
  });

  @Test
  void aFireGoesAtOnceWhileItsNamespacesPaceAllowsAndWaitsOtherwise() {
    Fire first = fire(target(1, "ns", 10), 1);
    assertThat(paced.admit(first)).isTrue();
    assertThat(go(first)).isTrue();
    Fire second = fire(target(1, "ns", 10), 1);
    assertThat(paced.admit(second)).isFalse();
    assertThat(wakes).containsExactly("ns");
    assertThat(lastWakeIn).as("a minute's pace").isGreaterThan(59_000_000_000L);
    assertThat(paced.admit(fire(target(2, "other", 10), 1))).as("other namespaces are not held").isTrue();
    assertThat(paced.release("ns")).as("woken early").isNull();
    now += lastWakeIn;
    assertThat(paced.release("ns")).isSameAs(second);
  }

  @Test
  void aWaitingFireIsToppedUpWithItsFeedsOtherWaitingEventsUpToBatchSizeInOrder() {
    Target feed = target(1, "ns", 3);
    startOne(feed);
    List<Fire> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Fire f = fire(feed, 2);
      waiting.add(f);
      assertThat(paced.admit(f)).isFalse();
    }
    assertThat(paced.waitingEvents()).isEqualTo(8);
    now += lastWakeIn;
    Fire released = paced.release("ns");
    List<ClaimedEvent> inOrder = waiting.stream().flatMap(f -> f.events().stream()).toList();
    assertThat(released.events()).containsExactlyElementsOf(inOrder.subList(0, 3));
    assertThat(released.body().toJsonObject().getJsonArray("events")).hasSize(3);
    assertThat(paced.waitingEvents()).isEqualTo(5);
    assertThat(go(released)).isTrue();
    now += lastWakeIn;
    assertThat(paced.release("ns").events()).containsExactlyElementsOf(inOrder.subList(3, 6));
  }

  @Test
  void feedsOfANamespaceTakeTurnsAndOneFireIsReleasedAtATime() {
    Target a = target(1, "ns", 1);
    Target b = target(2, "ns", 1);
    startOne(a);
    Fire a1 = fire(a, 1);
    Fire a2 = fire(a, 1);
    Fire b1 = fire(b, 1);
    for (Fire f : List.of(a1, a2, b1)) paced.admit(f);
    List<Fire> order = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      now += lastWakeIn;
      Fire next = paced.release("ns");
      assertThat(paced.release("ns")).as("the released one has not started").isNull();
      order.add(next);
      if (i == 1) {
        paced.dropped(next); // its feed was paused meanwhile: the namespace's next fire may go at once
        assertThat(lastWakeIn).isEqualTo(1);
      } else {
        assertThat(go(next)).isTrue();
      }
    }
    assertThat(order).containsExactly(a1, b1, a2);
  }

  @Test
  void aFeedWithAFullFireWaitingIsLeftOutOfClaims() {
    Target feed = target(1, "ns", 3);
    startOne(feed);
    paced.admit(fire(feed, 2));
    assertThat(paced.claimable(new long[] {1, 2})).containsExactly(1, 2);
    paced.admit(fire(feed, 1));
    assertThat(paced.claimable(new long[] {1, 2})).containsExactly(2);
    now += lastWakeIn;
    paced.release("ns");
    assertThat(paced.claimable(new long[] {1, 2})).containsExactly(1, 2);
    assertThat(paced.waitingEvents()).isZero();
  }

  @Test
  void aFireThatWaitedForASlotWaitsAgainWhenThePaceWasSpentMeanwhile() {
    Target feed = target(1, "ns", 1);
    Fire f1 = fire(feed, 1);
    Fire f2 = fire(feed, 1);
    assertThat(paced.admit(f1)).isTrue();
    assertThat(paced.admit(f2)).as("nothing started yet").isTrue();
    assertThat(go(f1)).isTrue();
    assertThat(go(f2)).isFalse();
    assertThat(paced.waitingEvents()).isEqualTo(1);
    now += lastWakeIn;
    assertThat(paced.release("ns")).isSameAs(f2);
  }

  /** What the engine does with a fire that got its slot ({@link FireCheck}): true when it starts. */
  private boolean go(Fire f) {
    if (paced.delay(f) > 0) {
      paced.waitAgain(f);
      return false;
    }
    paced.started(f);
    return true;
  }

  private void startOne(Target t) {
    Fire f = fire(t, 1);
    assertThat(paced.admit(f)).isTrue();
    assertThat(go(f)).isTrue();
  }

  private Fire fire(Target t, int events) {
    List<ClaimedEvent> es = new ArrayList<>();
    List<Buffer> parts = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      long n = ++seq;
      es.add(new ClaimedEvent(UUID.randomUUID(), n, t.id(), "MANUAL", null, null, Instant.EPOCH, 0, 0, null,
          Instant.EPOCH, 0));
      parts.add(Buffer.buffer("{\"n\":" + n + "}"));
    }
    return new Fire(null, t, es, parts);
  }

  private static Target target(long id, String namespace, int batchSize) {
    return new Target(id, namespace, "t" + id, "webhook", "key", "active", "control", 0, 12, 1, 30, batchSize, 1_000_000,
        false);
  }
}
