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

/** The operator's SQL: feeds across namespaces, events across feeds, redelivery by time range. */
public final class AdminRepository {
  private static final String FEEDS_PAGE = "SELECT " + FeedRow.COLUMNS + """
       FROM whiskfeed.feeds
      WHERE ($1::text IS NULL OR namespace = $1) AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR state = $3) AND id > $4
      ORDER BY id LIMIT $5""";
  private static final String FEED_NAMES = "SELECT id, namespace, trigger FROM whiskfeed.feeds";
  private static final String EVENT_COLUMNS = "x.id, x.seq, x.feed_id, x.op, x.payload, x.created_at, x.state, "
      + "x.attempts, x.next_attempt_at, x.locked_by, x.locked_until, x.last_status, x.last_error, x.activation_id, "
      + "x.delivered_at";
  // one index range per feed ((feed_id, state, seq) or (feed_id, seq)), newest first, merged
  private static final String EVENTS_IN_STATE = "SELECT e.* FROM unnest($1::bigint[]) AS f(id) CROSS JOIN LATERAL ("
      + "SELECT " + EVENT_COLUMNS + " FROM whiskfeed.events x WHERE x.feed_id = f.id AND x.state = $2 AND x.seq < $3 "
      + "ORDER BY x.seq DESC LIMIT $4) e ORDER BY e.seq DESC LIMIT $4";
  private static final String EVENTS_ANY_STATE = "SELECT e.* FROM unnest($1::bigint[]) AS f(id) CROSS JOIN LATERAL ("
      + "SELECT " + EVENT_COLUMNS + " FROM whiskfeed.events x WHERE x.feed_id = f.id AND x.seq < $2 "
      + "ORDER BY x.seq DESC LIMIT $3) e ORDER BY e.seq DESC LIMIT $3";
  private static final String REDELIVER_RANGE = """
      UPDATE whiskfeed.events SET state = 'pending', attempts = 0, throttled = 0, next_attempt_at = clock_timestamp(),
             locked_by = NULL, locked_until = NULL, last_error = NULL, delivered_at = NULL
      WHERE feed_id = $1 AND state = $2
        AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)""";

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

  private static List<ListedEvent> listed(RowSet<Row> rows) {
    List<ListedEvent> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(new ListedEvent(r.getLong("feed_id"), r.getLong("seq"), EventRepository.toJson(r))));
    return out;
  }
}
