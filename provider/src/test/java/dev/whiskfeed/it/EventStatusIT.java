package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.EventRepository;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an event is, as the owner reads it, after each kind of outcome (events migration V7): a
 * fire of several events writes one row for all of them and none of theirs, a fire of one writes
 * the event's row; either way the listing says delivered, when, by which activation, after how
 * many attempts, and READ counts it.
 */
class EventStatusIT extends WithEventStore {
  private static final long FEED = FEED_ID;
  private final ClaimRepository claims = new ClaimRepository();
  private final EventRepository events = new EventRepository();


  @Test
  void eventsDeliveredTogetherAloneAfterARetryAndDeadReadAsSuch() throws Exception {
    insert(5);
    List<ClaimedEvent> c = get(claims.claim(pool, "h1", 30_000, new long[] {FEED}, 10));
    assertThat(c).hasSize(5);
    // one fire of two; one alone; one retried; one dead
    List<Ack> acks = List.of(Ack.delivered(c.get(0).id(), 202, "act-pair"), Ack.delivered(c.get(1).id(), 202, "act-pair"),
        Ack.delivered(c.get(2).id(), 204, null), Ack.retry(c.get(3).id(), 0, 503, false, "unavailable"),
        Ack.dead(c.get(4).id(), 400, "bad request"));
    assertThat(get(claims.ack(pool, "h1", acks, c.subList(0, 5), new long[0]))).isEqualTo(5);

    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.fired")).as("one row for the fire of two").isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE delivered_at IS NULL AND attempts = 0 "
        + "AND id IN (?::uuid, ?::uuid)", c.get(0).id().toString(), c.get(1).id().toString()))
        .as("nothing written to the rows of the fire of two").isEqualTo(2);
    JsonObject pair = find(c.get(0));
    assertThat(pair.getString("state")).isEqualTo("delivered");
    assertThat(pair.getString("activationId")).isEqualTo("act-pair");
    assertThat(pair.getInteger("attempts")).isEqualTo(1);
    assertThat(pair.getInteger("lastStatusCode")).isEqualTo(202);
    assertThat(pair.getString("deliveredAt")).isNotNull();
    JsonObject alone = find(c.get(2));
    assertThat(alone.getString("state")).isEqualTo("delivered");
    assertThat(alone.getInteger("attempts")).isEqualTo(1);
    assertThat(alone.getInteger("lastStatusCode")).isEqualTo(204);
    assertThat(alone.getString("deliveredAt")).isNotNull();
    assertThat(find(c.get(3)).getString("state")).isEqualTo("pending");
    assertThat(find(c.get(3)).getInteger("attempts")).isEqualTo(1);
    assertThat(find(c.get(4)).getString("state")).isEqualTo("dead");
    assertThat(counts()).isEqualTo(Map.of("pending", 1L, "delivered", 3L, "dead", 1L));
    assertThat(get(events.list(pool, FEED, "delivered", 10)).size()).isEqualTo(3);

    // the retried event goes out in a fire of two with a new event: two attempts, the new activation
    insert(1);
    List<ClaimedEvent> again = get(claims.claim(pool, "h1", 30_000, new long[] {FEED}, 10));
    assertThat(again).extracting(ClaimedEvent::id).contains(c.get(3).id()).hasSize(2);
    get(claims.ack(pool, "h1", again.stream().map(e -> Ack.delivered(e.id(), 202, "act-second")).toList(), again,
        new long[] {again.get(0).claim()}));
    JsonObject retried = find(c.get(3));
    assertThat(retried.getString("state")).isEqualTo("delivered");
    assertThat(retried.getInteger("attempts")).isEqualTo(2);
    assertThat(retried.getString("activationId")).isEqualTo("act-second");
    assertThat(retried.containsKey("lastError")).isFalse();
    assertThat(counts()).isEqualTo(Map.of("pending", 0L, "delivered", 5L, "dead", 1L));
  }

  @Test
  void aRedeliveredEventIsNotReadAsDeliveredByItsEarlierFire() throws Exception {
    insert(2);
    List<ClaimedEvent> c = get(claims.claim(pool, "h1", 30_000, new long[] {FEED}, 10));
    get(claims.ack(pool, "h1", c.stream().map(e -> Ack.delivered(e.id(), 202, "act-first")).toList(), c,
        new long[] {c.get(0).claim()}));
    assertThat(get(events.redeliver(pool, FEED, c.get(0).id()))).isEqualTo(EventRepository.Redelivery.REDELIVERED);

    JsonObject back = find(c.get(0));
    assertThat(back.getString("state")).isEqualTo("pending");
    assertThat(back.getInteger("attempts")).isZero();
    assertThat(back.containsKey("activationId")).isFalse();
    assertThat(back.containsKey("deliveredAt")).isFalse();

    List<ClaimedEvent> again = get(claims.claim(pool, "h1", 30_000, new long[] {FEED}, 10));
    get(claims.ack(pool, "h1", List.of(Ack.delivered(c.get(0).id(), 202, "act-again")), again,
        new long[] {again.get(0).claim()}));
    assertThat(find(c.get(0)).getString("activationId")).isEqualTo("act-again");
    assertThat(find(c.get(1)).getString("activationId")).isEqualTo("act-first");
  }

  private JsonObject find(ClaimedEvent e) throws Exception {
    return get(events.find(pool, e.id())).orElseThrow().json();
  }

  private Map<String, Long> counts() throws Exception {
    return get(events.counts(pool, FEED));
  }
}
