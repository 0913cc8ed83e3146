package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FireSlotsTest {
  private final List<Fire> started = new ArrayList<>();
  private int freed;
  private final FireSlots slots = new FireSlots(new FireLimit(2, 2), started::add, () -> freed++);

  @Test
  void firesStartWhileSlotsAreFreeAndTheRestWait() {
    Fire a = fire(1);
    Fire b = fire(1);
    Fire c = fire(1);
    slots.take(a);
    slots.take(b);
    slots.take(c);
    assertThat(started).containsExactly(a, b);
    assertThat(slots.inFlight()).isEqualTo(2);

    slots.release();
    assertThat(started).containsExactly(a, b, c);
    assertThat(slots.inFlight()).isEqualTo(2);
    assertThat(freed).as("the slot went to the waiting fire").isZero();
  }

  @Test
  void aSlotNobodyWaitsForIsFreeAndSaysSo() {
    slots.take(fire(1));
    slots.release();
    assertThat(slots.inFlight()).isZero();
    assertThat(freed).isEqualTo(1);
  }

  @Test
  void waitingFiresTakeTheSlotsPerFeedInTurn() {
    slots.take(fire(1));
    slots.take(fire(1));
    Fire backlog1 = fire(1);
    Fire backlog2 = fire(1);
    Fire other = fire(2);
    slots.take(backlog1);
    slots.take(backlog2);
    slots.take(other);

    slots.release();
    slots.release();
    assertThat(started.subList(2, 4)).containsExactly(backlog1, other);
    slots.release();
    assertThat(started).endsWith(backlog2);
  }

  @Test
  void droppedWaitingFiresNeverStart() {
    slots.take(fire(1));
    slots.take(fire(1));
    slots.take(fire(1));
    slots.clearWaiting();
    slots.release();
    slots.release();
    assertThat(started).hasSize(2);
    assertThat(slots.inFlight()).isZero();
    assertThat(freed).isEqualTo(2);
  }

  @Test
  void aLimitThatGrewStartsSeveralWaitingFiresAtOnce() {
    List<Fire> went = new ArrayList<>();
    FireSlots adaptive = new FireSlots(new FireLimit(8, 256), went::add, () -> { });
    for (int i = 0; i < FireLimit.START + 20; i++) adaptive.take(fire(1));
    assertThat(went).hasSize(FireLimit.START);
    // a whole round of fires came back as fast as the first: the limit grows by half, and the
    // slot given back takes the waiting fires with it
    for (int i = 0; i < FireLimit.START; i++) adaptive.done(1_000_000);
    assertThat(went).hasSize(FireLimit.START + 20);
    assertThat(adaptive.inFlight()).isEqualTo(20);
  }

  private static Fire fire(long feed) {
    Target t = new Target(feed, "ns", "t" + feed, "webhook", "key", "active", "control", 0, 12, 1, 30, 1, 1_000_000,
        false);
    ClaimedEvent e = new ClaimedEvent(UUID.randomUUID(), 1, feed, "MANUAL", null, null, Instant.EPOCH, 0, 0, null,
        Instant.EPOCH, 0);
    return new Fire(null, t, List.of(e), List.of(Buffer.buffer("{}")));
  }
}
