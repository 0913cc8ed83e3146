package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL over {@code whiskfeed.alarm_schedules}: the next fire time of every alarm feed. Due rows are
 * claimed with {@code FOR UPDATE SKIP LOCKED} inside the transaction that writes their events and
 * advances them, so however many instances claim at once, an instant fires once. Times are the
 * caller's clock, never the database's, so tests can set them.
 */
public final class AlarmScheduleRepository {
  private static final String UPSERT = """
      INSERT INTO whiskfeed.alarm_schedules (feed_id, next_fire) VALUES ($1, $2)
      ON CONFLICT (feed_id) DO UPDATE SET next_fire = EXCLUDED.next_fire, final_event = NULL, locked_by = NULL,
        locked_until = NULL""";
  private static final String ENSURE = """
      INSERT INTO whiskfeed.alarm_schedules (feed_id, next_fire) VALUES ($1, $2) ON CONFLICT (feed_id) DO NOTHING""";
  private static final String REMOVE = "DELETE FROM whiskfeed.alarm_schedules WHERE feed_id = $1";
  private static final String EARLIEST =
      "SELECT min(next_fire) AS t FROM whiskfeed.alarm_schedules WHERE next_fire IS NOT NULL";

  // maxTriggers: fires counted so far plus events written but not yet taken by a fire
  private static final String CLAIM_DUE = """
      SELECT s.feed_id, '/' || f.namespace || '/' || f.trigger AS feed, s.next_fire, f.state, f.config, (f.config->>'maxTriggers')::bigint AS max_triggers,
        CASE WHEN (f.config->>'maxTriggers')::bigint > 0 THEN f.fires + (SELECT count(*) FROM whiskfeed.pending p
          WHERE p.feed_id = s.feed_id AND (p.id, p.next_attempt_at) NOT IN (SELECT h.id, h.due FROM whiskfeed.held h))
          ELSE 0 END AS used
      FROM whiskfeed.alarm_schedules s JOIN whiskfeed.feeds f ON f.id = s.feed_id
      WHERE s.next_fire <= $1
      ORDER BY s.next_fire LIMIT $2
      FOR UPDATE OF s SKIP LOCKED""";

  // writes the events and rings the control store's doorbell if the consumer armed it
  private static final String INSERT_EVENTS = """
      WITH ins AS (
        INSERT INTO whiskfeed.events (feed_id, op, payload)
        SELECT u.feed_id, 'ALARM', u.payload::jsonb FROM unnest($1::bigint[], $2::text[]) AS u(feed_id, payload)
        RETURNING id, feed_id),
      """ + Doorbell.RING_AFTER + """
      SELECT id, feed_id, (SELECT count(*) FROM rang) AS rang FROM ins""";

  private static final String ADVANCE = """
      UPDATE whiskfeed.alarm_schedules s SET next_fire = u.next_fire, final_event = COALESCE(u.final_event, s.final_event)
      FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[]) AS u(feed_id, next_fire, final_event)
      WHERE s.feed_id = u.feed_id""";

  // schedules whose last event is no longer pending (delivered, dead, or gone: no pending row, events
  // migration V7) and not leased
  private static final String CLAIM_ENDED = """
      SELECT s.feed_id, '/' || f.namespace || '/' || f.trigger AS feed,
             CASE WHEN e.id IS NULL THEN NULL WHEN e.state = 'dead' THEN 'dead' ELSE 'delivered' END AS event_state, f.config
      FROM whiskfeed.alarm_schedules s JOIN whiskfeed.feeds f ON f.id = s.feed_id
      LEFT JOIN whiskfeed.events e ON e.id = s.final_event
      WHERE s.final_event IS NOT NULL
        AND (e.id IS NULL OR NOT EXISTS (SELECT 1 FROM whiskfeed.pending p WHERE p.feed_id = e.feed_id AND p.seq = e.seq))
        AND (s.locked_until IS NULL OR s.locked_until <= $1)
      LIMIT $2
      FOR UPDATE OF s SKIP LOCKED""";
  private static final String LEASE =
      "UPDATE whiskfeed.alarm_schedules SET locked_by = $2, locked_until = $3 WHERE feed_id = $1";
  private static final String ENDED =
      "UPDATE whiskfeed.alarm_schedules SET final_event = NULL, locked_by = NULL, locked_until = NULL WHERE feed_id = $1";

  /** A due row, with what decides whether it may fire. {@code used} is 0 for feeds without maxTriggers. */
  public record Due(long feedId, String feed, Instant nextFire, String state, JsonObject config, long maxTriggers, long used) {
    public boolean mayFire() {
      return "active".equals(state) && (maxTriggers <= 0 || used < maxTriggers);
    }
  }

  /** A schedule whose last event was settled: {@code eventState} is delivered, dead, or null (gone). */
  public record Ended(long feedId, String feed, String eventState, JsonObject config) {}

  /** Sets the feed's next fire time, forgetting any end in progress. */
  public Future<Void> upsert(SqlClient tx, long feedId, Instant next) {
    return tx.preparedQuery(UPSERT).execute(Tuple.of(feedId, time(next))).mapEmpty();
  }

  /** Creates the feed's row unless it has one (its current next fire time is kept). */
  public Future<Void> ensure(SqlClient tx, long feedId, Instant next) {
    return tx.preparedQuery(ENSURE).execute(Tuple.of(feedId, time(next))).mapEmpty();
  }

  public Future<Void> remove(SqlClient tx, long feedId) {
    return tx.preparedQuery(REMOVE).execute(Tuple.of(feedId)).mapEmpty();
  }

  public Future<Optional<Instant>> earliest(SqlClient c) {
    return c.query(EARLIEST).execute().map(rows -> Optional.ofNullable(instant(rows.iterator().next()
        .getOffsetDateTime("t"))));
  }

  /** Locks up to {@code limit} rows due at {@code now} that no other transaction holds, earliest first. */
  public Future<List<Due>> claimDue(SqlClient tx, Instant now, int limit) {
    return tx.preparedQuery(CLAIM_DUE).execute(Tuple.of(time(now), limit)).map(rows -> {
      List<Due> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        Long max = r.getLong("max_triggers");
        out.add(new Due(r.getLong("feed_id"), r.getString("feed"), instant(r.getOffsetDateTime("next_fire")), r.getString("state"),
            r.getJsonObject("config"), max == null ? -1 : max, r.getLong("used")));
      }
      return out;
    });
  }

  /** Writes one ALARM event per feed; answers each feed's event id. (Arrays go in one by one: Tuple.of would spread them.) */
  public Future<Map<Long, UUID>> insertEvents(SqlClient tx, Long[] feedIds, String[] payloads) {
    return tx.preparedQuery(INSERT_EVENTS).execute(Tuple.tuple().addValue(feedIds).addValue(payloads)).map(rows -> {
      Map<Long, UUID> out = new HashMap<>();
      rows.forEach(r -> out.put(r.getLong("feed_id"), r.getUUID("id")));
      return out;
    });
  }

  /** Moves rows to their next fire time (null: over), remembering a last event where one is given. */
  public Future<Void> advance(SqlClient tx, Long[] feedIds, Instant[] next, UUID[] finalEvents) {
    OffsetDateTime[] times = new OffsetDateTime[next.length];
    for (int i = 0; i < next.length; i++) times[i] = time(next[i]);
    return tx.preparedQuery(ADVANCE)
        .execute(Tuple.tuple().addValue(feedIds).addValue(times).addValue(finalEvents)).mapEmpty();
  }

  public Future<List<Ended>> claimEnded(SqlClient tx, Instant now, int limit) {
    return tx.preparedQuery(CLAIM_ENDED).execute(Tuple.of(time(now), limit)).map(rows -> {
      List<Ended> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(new Ended(r.getLong("feed_id"), r.getString("feed"), r.getString("event_state"),
          r.getJsonObject("config"))));
      return out;
    });
  }

  /** Keeps other instances off an end action in progress until {@code until}. */
  public Future<Void> lease(SqlClient tx, long feedId, String holder, Instant until) {
    return tx.preparedQuery(LEASE).execute(Tuple.of(feedId, holder, time(until))).mapEmpty();
  }

  /** The end action is done: the row stays, inert (no next fire, no last event). */
  public Future<Void> ended(SqlClient tx, long feedId) {
    return tx.preparedQuery(ENDED).execute(Tuple.of(feedId)).map(RowSet::rowCount).mapEmpty();
  }

  private static OffsetDateTime time(Instant t) {
    return FeedRepository.time(t);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
