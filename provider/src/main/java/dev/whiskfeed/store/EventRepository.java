package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The owner-facing SQL over one store's {@code whiskfeed.events}: insert, count, list, redeliver, discard. */
public final class EventRepository {
  // Writes the event and rings the store's doorbell if the consumer armed it (one statement).
  private static final String INSERT = """
      WITH ins AS (INSERT INTO whiskfeed.events (feed_id, op, payload) VALUES ($1, $2, $3) RETURNING id),
      """ + Doorbell.RING_AFTER + """
      SELECT id, (SELECT count(*) FROM rang) AS rang FROM ins""";
  /**
   * Counts by state without reading the feed's history row by row: all its events (an index-only
   * range of {@code events_feed}), the pending ones (its pending rows), the dead ones
   * ({@code events_dead}); the others are delivered (events migration V7).
   */
  private static final String COUNTS = """
      SELECT (SELECT count(*) FROM whiskfeed.events WHERE feed_id = $1) AS total,
             (SELECT count(*) FROM whiskfeed.pending WHERE feed_id = $1) AS pending,
             (SELECT count(*) FROM whiskfeed.events WHERE feed_id = $1 AND state = 'dead') AS dead""";
  // What an event is follows from where it is (events migration V7): whiskfeed.event_status says it,
  // with a pending event's due time from its pending row and its lease from the claim holding it.
  private static final String COLUMNS = """
      SELECT e.id, e.seq, e.feed_id, e.op, e.payload, e.created_at, e.state, e.attempts, e.next_attempt_at, e.locked_by,
             e.locked_until, e.last_status, e.last_error, e.activation_id, e.delivered_at
      FROM whiskfeed.event_status e""";
  private static final String LIST = COLUMNS + """

      WHERE e.feed_id = $1 AND ($2::text IS NULL OR e.state = $2)
      ORDER BY e.seq DESC LIMIT $3""";
  // An event held by a claim is in flight and is not touched. The event row is locked first, so two
  // redeliveries serialize; a claim that takes a pending event between the check and the write sees
  // its due time moved (it is no longer held) and it may be fired twice, never lost.
  private static final String REDELIVER = """
      WITH ev AS (
        SELECT id, seq, feed_id FROM whiskfeed.events WHERE id = $1 AND feed_id = $2 FOR UPDATE
      ), busy AS (
        SELECT 1 FROM whiskfeed.pending p JOIN ev ON p.feed_id = ev.feed_id AND p.seq = ev.seq
        JOIN whiskfeed.held h ON h.id = p.id AND h.due = p.next_attempt_at
      ), upd AS (
        UPDATE whiskfeed.events e SET state = 'pending', attempts = 0, throttled = 0, next_attempt_at = clock_timestamp(),
               last_error = NULL, delivered_at = NULL
        FROM ev WHERE e.id = ev.id AND NOT EXISTS (SELECT 1 FROM busy)
        RETURNING e.id, e.seq, e.feed_id, e.created_at, e.next_attempt_at
      )
      INSERT INTO whiskfeed.pending (feed_id, seq, id, created_at, next_attempt_at)
      SELECT feed_id, seq, id, created_at, next_attempt_at FROM upd
      ON CONFLICT (feed_id, seq) DO UPDATE SET next_attempt_at = EXCLUDED.next_attempt_at
      RETURNING id""";
  private static final String FIND = COLUMNS + " WHERE e.id = $1";
  private static final String EXISTS = "SELECT 1 FROM whiskfeed.events WHERE id = $1 AND feed_id = $2";
  /**
   * The feeds of the pending set found by skipping from one to the next through its key (one index
   * probe a feed), and each counted only up to the cap. A count of the whole set grouped by feed read
   * every page of it, the dead rows of every delivered event since the last vacuum among them: 60–144
   * ms after a 20k backlog drained, a stall of the fires around it.
   */
  public static final String OVER_BACKLOG = """
      WITH RECURSIVE f AS (
        (SELECT p.feed_id FROM whiskfeed.pending p ORDER BY p.feed_id LIMIT 1)
        UNION ALL
        SELECT (SELECT p.feed_id FROM whiskfeed.pending p WHERE p.feed_id > f.feed_id ORDER BY p.feed_id LIMIT 1)
        FROM f WHERE f.feed_id IS NOT NULL)
      SELECT f.feed_id FROM f
      WHERE f.feed_id IS NOT NULL
        AND (SELECT count(*) FROM (SELECT 1 FROM whiskfeed.pending p WHERE p.feed_id = f.feed_id LIMIT $1 + 1) x) > $1""";
  /**
   * A feed's pending events, found through the pending set; the set's delete trigger (events
   * migration V6) takes their pending rows with them.
   */
  public static final String DISCARD_PENDING = """
      DELETE FROM whiskfeed.events WHERE id = ANY (ARRAY(SELECT id FROM whiskfeed.pending WHERE feed_id = $1))""";

  public enum Redelivery { REDELIVERED, LEASED, NOT_FOUND }

  /**
   * One event as the owner lists it ({@code json}), with the feed it belongs to and the bounds of its
   * delivery attempts: {@code createdAt}, and {@code doneAt} (delivered or dead; null while pending).
   */
  public record Found(long feedId, JsonObject json, Instant createdAt, Instant doneAt) {}

  public Future<UUID> insert(SqlClient c, long feedId, String op, JsonObject payload) {
    return c.preparedQuery(INSERT).execute(Tuple.of(feedId, op, payload))
        .map(rows -> rows.iterator().next().getUUID("id"));
  }

  /** The feeds with more than {@code max} pending events in this store. */
  public Future<java.util.List<Long>> overBacklog(SqlClient c, long max) {
    return c.preparedQuery(OVER_BACKLOG).execute(Tuple.of(max)).map(rows -> {
      java.util.List<Long> out = new java.util.ArrayList<>();
      rows.forEach(r -> out.add(r.getLong("feed_id")));
      return out;
    });
  }

  /** Counts by state: {@code pending}, {@code delivered}, {@code dead} (missing states count 0). */
  public Future<Map<String, Long>> counts(SqlClient c, long feedId) {
    return c.preparedQuery(COUNTS).execute(Tuple.of(feedId)).map(rows -> {
      Row r = rows.iterator().next();
      long pending = r.getLong("pending");
      long dead = r.getLong("dead");
      return Map.of("pending", pending, "dead", dead, "delivered", r.getLong("total") - pending - dead);
    });
  }

  public Future<JsonArray> list(SqlClient c, long feedId, String state, int limit) {
    return c.preparedQuery(LIST).execute(Tuple.of(feedId, state, limit)).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(toJson(r)));
      return out;
    });
  }

  public Future<Redelivery> redeliver(SqlClient c, long feedId, UUID eventId) {
    return c.preparedQuery(REDELIVER).execute(Tuple.of(eventId, feedId)).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(Redelivery.REDELIVERED)
        : c.preparedQuery(EXISTS).execute(Tuple.of(eventId, feedId))
            .map(found -> found.size() > 0 ? Redelivery.LEASED : Redelivery.NOT_FOUND));
  }

  /** The event {@code eventId} of this store, whatever its feed (a primary-key lookup). */
  public Future<Optional<Found>> find(SqlClient c, UUID eventId) {
    return c.preparedQuery(FIND).execute(Tuple.of(eventId)).map(rows -> {
      if (rows.size() == 0) return Optional.empty();
      Row r = rows.iterator().next();
      OffsetDateTime done = r.getOffsetDateTime("delivered_at");
      return Optional.of(new Found(r.getLong("feed_id"), toJson(r), r.getOffsetDateTime("created_at").toInstant(),
          done == null ? null : done.toInstant()));
    });
  }

  public Future<Integer> discardPending(SqlClient c, long feedId) {
    return c.preparedQuery(DISCARD_PENDING).execute(Tuple.of(feedId)).map(rows -> rows.rowCount());
  }

  static JsonObject toJson(Row r) {
    JsonObject json = new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("seq", r.getLong("seq"))
        .put("op", r.getString("op"))
        .put("createdAt", iso(r.getOffsetDateTime("created_at")))
        .put("state", r.getString("state"))
        .put("attempts", r.getInteger("attempts"))
        .put("payload", r.getJsonObject("payload"));
    putIfPresent(json, "nextAttemptAt", iso(r.getOffsetDateTime("next_attempt_at")));
    putIfPresent(json, "lockedBy", r.getString("locked_by"));
    putIfPresent(json, "lockedUntil", iso(r.getOffsetDateTime("locked_until")));
    putIfPresent(json, "lastStatusCode", r.getInteger("last_status"));
    putIfPresent(json, "lastError", r.getString("last_error"));
    putIfPresent(json, "activationId", r.getString("activation_id"));
    putIfPresent(json, "deliveredAt", iso(r.getOffsetDateTime("delivered_at")));
    return json;
  }

  private static void putIfPresent(JsonObject json, String key, Object value) {
    if (value != null) json.put(key, value);
  }

  static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
