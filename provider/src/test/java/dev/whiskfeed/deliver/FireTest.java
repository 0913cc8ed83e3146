package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FireTest {
  /** Batches of two, at most 1,000 bytes. */
  private static final Target FEED = new Target(7, "guest", "orderChanged", "changes", "key", "active", "control", 0,
      12, 1, 60, 2, 1_000, false);

  @Test
  void aFeedsEventsGoInFiresOfItsBatchSizeInOrder() {
    ClaimedEvent a = event(10);
    ClaimedEvent b = event(10);
    ClaimedEvent c = event(10);
    Fire.Planned planned = Fire.plan(null, FEED, List.of(a, b, c));
    assertThat(planned.fires()).extracting(Fire::events).containsExactly(List.of(a, b), List.of(c));
    assertThat(planned.fires().get(0).parts()).hasSize(2);
    assertThat(planned.dead()).isEmpty();
  }

  @Test
  void anEventLargerThanBatchMaxBytesAloneIsDeadBeforeAnyFire() {
    ClaimedEvent a = event(10);
    ClaimedEvent big = event(2_000);
    ClaimedEvent c = event(10);
    Fire.Planned planned = Fire.plan(null, FEED, List.of(a, big, c));
    assertThat(planned.fires()).extracting(Fire::events).containsExactly(List.of(a, c));
    assertThat(planned.dead()).hasSize(1);
    Ack dead = planned.dead().get(0);
    assertThat(dead.id()).isEqualTo(big.id());
    assertThat(dead.state()).isEqualTo("dead");
    assertThat(dead.error()).startsWith("event is ").endsWith(" bytes as JSON, larger than batchMaxBytes 1000");
  }

  /** An event whose row holds a string of {@code chars} characters. */
  private static ClaimedEvent event(int chars) {
    return new ClaimedEvent(UUID.randomUUID(), 1, FEED.id(), "INSERT", "{\"name\": \"orders\", \"schema\": \"public\"}",
        "{\"new\": {\"s\": \"" + "x".repeat(chars) + "\"}, \"old\": null}", Instant.EPOCH, 0, 0, null, null, 0);
  }
}
