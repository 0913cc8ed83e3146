package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's SQL: feeds across namespaces, events across feeds, redelivery by time range, and a
 * feed's recent activity. Each activity question reads one index range of one feed: the oldest
 * pending event through the pending key {@code (feed_id, seq)}, the fire attempts of the last hour
 * through {@code delivery_log_feed (feed_id, attempted_at)}.
 */
public final class AdminRepository {
  private static final String FEEDS_PAGE = "SELECT " + FeedRow.COLUMNS + """
       FROM whiskfeed.feeds
      WHERE ($1::text IS NULL OR namespace = $1) AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR state = $3) AND id > $4
      ORDER BY id LIMIT $5""";
  private static final String FEED_NAMES = "SELECT id, namespace, trigger FROM whiskfeed.feeds";
  // what an event is follows from where it is (events migration V7: whiskfeed.event_status)
  private static final String EVENT_COLUMNS = "x.id, x.seq, x.feed_id, x.op, x.payload, x.created_at, x.state, "
      + "x.attempts, x.next_attempt_at, x.locked_by, x.locked_until, "
      + "x.last_status, x.last_error, x.activation_id, x.delivered_at";
  private static final String EVENTS_OF_FEED = " FROM whiskfeed.event_status x WHERE x.feed_id = f.id";
  // one index range per feed ((feed_id, seq)), newest first, merged
  private static final String EVENTS_IN_STATE = "SELECT e.* FROM unnest($1::bigint[]) AS f(id) CROSS JOIN LATERAL ("
      + "SELECT " + EVENT_COLUMNS + EVENTS_OF_FEED + " AND x.state = $2 AND x.seq < $3 "
      + "ORDER BY x.seq DESC LIMIT $4) e ORDER BY e.seq DESC LIMIT $4";
  private static final String EVENTS_ANY_STATE = "SELECT e.* FROM unnest($1::bigint[]) AS f(id) CROSS JOIN LATERAL ("
      + "SELECT " + EVENT_COLUMNS + EVENTS_OF_FEED + " AND x.seq < $2 "
      + "ORDER BY x.seq DESC LIMIT $3) e ORDER BY e.seq DESC LIMIT $3";
  // the events back in the pending set in the same statement (events migration V6), chosen by what
  // they are now (V7)
  private static final String REDELIVER_RANGE = """
      WITH upd AS (
        UPDATE whiskfeed.events e SET state = 'pending', attempts = 0, throttled = 0, next_attempt_at = clock_timestamp(),
               last_error = NULL, delivered_at = NULL
        FROM whiskfeed.event_status x
        WHERE x.feed_id = $1 AND x.state = $2 AND e.id = x.id
          AND ($3::timestamptz IS NULL OR x.created_at >= $3) AND ($4::timestamptz IS NULL OR x.created_at < $4)
        RETURNING e.id, e.seq, e.feed_id, e.created_at, e.next_attempt_at
      )
      INSERT INTO whiskfeed.pending (feed_id, seq, id, created_at, next_attempt_at)
      SELECT feed_id, seq, id, created_at, next_attempt_at FROM upd
      ON CONFLICT (feed_id, seq) DO UPDATE SET next_attempt_at = EXCLUDED.next_attempt_at""";

  // the first pending event in capture order: one entry of the pending key
  private static final String OLDEST_PENDING = """
      SELECT EXTRACT(EPOCH FROM now() - created_at)::float8 AS age_sec FROM whiskfeed.pending
      WHERE feed_id = $1 ORDER BY seq LIMIT 1""";
  private static final String ATTEMPTS_PER_MINUTE = """
      SELECT date_trunc('minute', attempted_at) AS minute,
             count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS fired,
             count(*) FILTER (WHERE status_code IS NULL OR status_code NOT BETWEEN 200 AND 299) AS failed
      FROM whiskfeed.delivery_log WHERE feed_id = $1 AND attempted_at >= $2
      GROUP BY 1""";

  /** Fire attempts of one minute: answered 2xx, and everything else (other statuses, timeouts, no connection). */
  public record Attempts(long fired, long failed) {}

  /** A page of feeds in id order after {@code afterId}; a null filter matches everything. */
  public Future<List<FeedRow>> feeds(SqlClient c, String namespace, String kind, String state, long afterId,
                                     int limit) {
    return c.preparedQuery(FEEDS_PAGE).execute(Tuple.of(namespace, kind, state, afterId, limit)).map(rows -> {
      List<FeedRow> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(FeedRow.of(r)));
      return out;
    });
  }

  /** Every feed's id and {@code /namespace/trigger}. */
  public Future<Map<Long, String>> feedNames(SqlClient c) {
    return c.query(FEED_NAMES).execute().map(rows -> {
      Map<Long, String> out = new HashMap<>();
      rows.forEach(r -> out.put(r.getLong("id"), "/" + r.getString("namespace") + "/" + r.getString("trigger")));
      return out;
    });
  }

  /** One event as listed to an operator: the owner's listing fields plus the feed's id. */
  public record ListedEvent(long feedId, long seq, JsonObject json) {}

  /** The newest events of these feeds in one store with {@code seq < beforeSeq}; {@code state} null for any. */
  public Future<List<ListedEvent>> events(SqlClient c, Long[] feedIds, String state, long beforeSeq, int limit) {
    Future<RowSet<Row>> rows = state == null
        ? c.preparedQuery(EVENTS_ANY_STATE).execute(Tuple.of(feedIds, beforeSeq, limit))
        : c.preparedQuery(EVENTS_IN_STATE).execute(Tuple.of(feedIds, state, beforeSeq, limit));
    return rows.map(AdminRepository::listed);
  }

  /** Puts a feed's {@code state} events created in {@code [from, to)} back to pending with fresh attempts. */
  public Future<Integer> redeliver(SqlClient c, long feedId, String state, Instant from, Instant to) {
    return c.preparedQuery(REDELIVER_RANGE)
        .execute(Tuple.of(feedId, state, FeedRepository.time(from), FeedRepository.time(to)))
        .map(RowSet::rowCount);
  }

  /** Seconds since the feed's first pending event (in capture order) was written; 0 when none is pending. */
  public Future<Double> oldestPendingAgeSec(SqlClient store, long feedId) {
    return store.preparedQuery(OLDEST_PENDING).execute(Tuple.of(feedId))
        .map(rows -> rows.size() == 0 ? 0.0 : Math.max(0.0, rows.iterator().next().getDouble("age_sec")));
  }

  /** The feed's fire attempts from {@code since} on (delivery log, control database), by the minute they started. */
  public Future<Map<Instant, Attempts>> attemptsPerMinute(SqlClient control, long feedId, Instant since) {
    return control.preparedQuery(ATTEMPTS_PER_MINUTE).execute(Tuple.of(feedId, FeedRepository.time(since)))
        .map(rows -> {
          Map<Instant, Attempts> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getOffsetDateTime("minute").toInstant(),
              new Attempts(r.getLong("fired"), r.getLong("failed"))));
          return out;
        });
  }

  private static List<ListedEvent> listed(RowSet<Row> rows) {
    List<ListedEvent> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(new ListedEvent(r.getLong("feed_id"), r.getLong("seq"), EventRepository.toJson(r))));
    return out;
  }
}
