package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Deletes what outlived its retention, one small batch per statement so no statement holds many
 * locks or runs long. Each batch picks the oldest rows through an index on age (the ORDER BY keeps
 * the planner off a sequential scan that would wade through the rows earlier batches deleted) and
 * deletes exactly those; the outer conditions are repeated so a row changed meanwhile (an event
 * redelivered back to pending) is left alone. Events are read in creation order ({@code
 * events_created}): no index may hold {@code delivered_at}, which outcomes write (events migration
 * V6). An event is delivered after it was created, so {@code created_at} before the cut-off is
 * implied by its delivery before it; the scan steps over what was created before the cut-off and
 * is not yet done or not old enough. Since events migration V7 a delivered event is one with no
 * pending row that is not dead, delivered when its fire says ({@code whiskfeed.event_status}); one
 * whose fire is gone (fires are purged by age too) was delivered before the cut-off. Its
 * {@code next_attempt_at} precedes its delivery, and a redelivery sets it to its own time: the
 * outer condition that leaves a redelivered event alone (for a row delivered before V7, its
 * {@code delivered_at}, which a redelivery clears).
 */
public final class Retention {
  private static final String DELIVERED = """
      DELETE FROM whiskfeed.events WHERE ctid = ANY(ARRAY(
        SELECT e.ctid FROM whiskfeed.events e JOIN whiskfeed.event_status x ON x.id = e.id
        WHERE e.created_at < now() - $1 * interval '1 hour'
          AND x.state = 'delivered' AND COALESCE(x.delivered_at, '-infinity') < now() - $1 * interval '1 hour'
        ORDER BY e.created_at LIMIT $2))
      AND state <> 'dead'
      AND CASE WHEN state = 'delivered' THEN delivered_at ELSE next_attempt_at END < now() - $1 * interval '1 hour'""";
  private static final String FIRED = """
      DELETE FROM whiskfeed.fired WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM whiskfeed.fired WHERE at < now() - $1 * interval '1 hour'
        ORDER BY at LIMIT $2))
      AND at < now() - $1 * interval '1 hour'""";
  private static final String DEAD = """
      DELETE FROM whiskfeed.events WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM whiskfeed.events
        WHERE created_at < now() - $1 * interval '1 hour'
          AND state = 'dead' AND delivered_at < now() - $1 * interval '1 hour'
        ORDER BY created_at LIMIT $2))
      AND state = 'dead' AND delivered_at < now() - $1 * interval '1 hour'""";
  private static final String DELIVERY_LOG = """
      DELETE FROM whiskfeed.delivery_log WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM whiskfeed.delivery_log WHERE attempted_at < now() - $1 * interval '1 hour'
        ORDER BY attempted_at LIMIT $2))
      AND attempted_at < now() - $1 * interval '1 hour'""";

  /** What a batch deletes. */
  public enum Kind {
    DELIVERED_EVENTS(DELIVERED), FIRES(FIRED), DEAD_EVENTS(DEAD), DELIVERY_LOG(Retention.DELIVERY_LOG);

    private final String sql;

    Kind(String sql) {
      this.sql = sql;
    }
  }

  /** Deletes up to {@code batch} rows of {@code kind} older than {@code hours}; how many it deleted. */
  public Future<Integer> deleteBatch(SqlClient c, Kind kind, long hours, int batch) {
    return c.preparedQuery(kind.sql).execute(Tuple.of(hours, batch)).map(RowSet::rowCount);
  }
}
