package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One small row per fire attempt in the control database, written in batches, and read back per
 * event (the invocation log). {@code attempted_at} is when OpenWhisk's answer came, by the
 * provider's clock, not when the batch was written: an event's attempts then lie between its
 * creation and its {@code delivered_at} (the ack follows the answer), which is what makes reading
 * them an index range.
 */
public final class DeliveryLog {
  /**
   * How far the provider's clock and a store's clock may disagree: the range read for an event is
   * widened by this much on both sides, so an attempt is never missed for a skewed clock.
   */
  public static final Duration CLOCK_SLACK = Duration.ofMinutes(1);

  private static final String INSERT = """
      INSERT INTO whiskfeed.delivery_log (feed_id, event_ids, attempted_at, status_code, latency_ms, error, activation_id)
      SELECT u.feed_id, u.ids::uuid[], u.at, u.status, u.latency, u.err, u.act
      FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::text[])
           AS u(feed_id, ids, at, status, latency, err, act)
      WHERE """ + Database.ASYNC_COMMIT;

  // One range of delivery_log_feed (feed_id, attempted_at): the feed's attempts during the event's
  // life, filtered by the event id; never a scan of the whole log. Public for the test of its plan.
  public static final String ATTEMPTS = """
      SELECT attempted_at, status_code, activation_id, error, latency_ms FROM whiskfeed.delivery_log
      WHERE feed_id = $1 AND attempted_at BETWEEN $3::timestamptz AND coalesce($4::timestamptz, now()) + $5 * interval '1 millisecond'
        AND $2 = ANY (event_ids)
      ORDER BY attempted_at, id""";

  /** One attempt; {@code at}: when the answer came. */
  public record Entry(long feedId, List<UUID> eventIds, Instant at, Integer statusCode, int latencyMs, String error,
                      String activationId) {}

  public Future<Void> insert(SqlClient c, List<Entry> entries) {
    int n = entries.size();
    Long[] feed = new Long[n];
    String[] ids = new String[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    Integer[] status = new Integer[n];
    Integer[] latency = new Integer[n];
    String[] err = new String[n];
    String[] act = new String[n];
    for (int i = 0; i < n; i++) {
      Entry e = entries.get(i);
      feed[i] = e.feedId();
      ids[i] = e.eventIds().stream().map(UUID::toString).collect(Collectors.joining(",", "{", "}"));
      at[i] = e.at().atOffset(ZoneOffset.UTC);
      status[i] = e.statusCode();
      latency[i] = e.latencyMs();
      err[i] = e.error();
      act[i] = e.activationId();
    }
    return c.preparedQuery(INSERT).execute(Tuple.from(new Object[] {feed, ids, at, status, latency, err, act}))
        .mapEmpty();
  }

  /**
   * The attempts at firing {@code eventId} of feed {@code feedId}, oldest first, as
   * {@code {"at", "statusCode", "activationId", "error", "durationMs"}}; {@code createdAt} and
   * {@code doneAt} are the event's (null {@code doneAt}: still pending, read up to now).
   */
  public Future<JsonArray> attempts(SqlClient c, long feedId, UUID eventId, Instant createdAt, Instant doneAt) {
    Tuple args = Tuple.of(feedId, eventId, createdAt.minus(CLOCK_SLACK).atOffset(ZoneOffset.UTC),
        doneAt == null ? null : doneAt.atOffset(ZoneOffset.UTC),
        CLOCK_SLACK.toMillis());
    return c.preparedQuery(ATTEMPTS).execute(args).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(new JsonObject()
          .put("at", r.getOffsetDateTime("attempted_at").toInstant().toString())
          .put("statusCode", r.getInteger("status_code"))
          .put("activationId", r.getString("activation_id"))
          .put("error", r.getString("error"))
          .put("durationMs", r.getInteger("latency_ms"))));
      return out;
    });
  }
}
