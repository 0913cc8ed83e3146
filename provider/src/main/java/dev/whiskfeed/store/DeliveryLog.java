package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** One small row per fire attempt in the control database, written in batches. */
public final class DeliveryLog {
  private static final String INSERT = """
      INSERT INTO whiskfeed.delivery_log (feed_id, event_ids, status_code, latency_ms, error, activation_id)
      SELECT u.feed_id, u.ids::uuid[], u.status, u.latency, u.err, u.act
      FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[])
           AS u(feed_id, ids, status, latency, err, act)
      WHERE """ + Database.ASYNC_COMMIT;

  public record Entry(long feedId, List<UUID> eventIds, Integer statusCode, int latencyMs, String error,
                      String activationId) {}

  public Future<Void> insert(SqlClient c, List<Entry> entries) {
    int n = entries.size();
    Long[] feed = new Long[n];
    String[] ids = new String[n];
    Integer[] status = new Integer[n];
    Integer[] latency = new Integer[n];
    String[] err = new String[n];
    String[] act = new String[n];
    for (int i = 0; i < n; i++) {
      Entry e = entries.get(i);
      feed[i] = e.feedId();
      ids[i] = e.eventIds().stream().map(UUID::toString).collect(Collectors.joining(",", "{", "}"));
      status[i] = e.statusCode();
      latency[i] = e.latencyMs();
      err[i] = e.error();
      act[i] = e.activationId();
    }
    return c.preparedQuery(INSERT).execute(Tuple.from(new Object[] {feed, ids, status, latency, err, act})).mapEmpty();
  }
}
