package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

/**
 * The one-row doorbell of an event store. A NOTIFY serializes committing transactions
 * cluster-wide, so writers notify only when the doorbell is armed, and the first one disarms it;
 * the consumer arms it when it found the queue empty. A busy store therefore costs writers no
 * NOTIFY at all. The table is unlogged: after a crash it is empty, and arming recreates the row.
 *
 * <p>The one owner of the doorbell's SQL and channel: every event writer (the lifecycle's manual
 * events, hooks, alarms, WAL capture, the capture trigger's function) rings it through
 * {@link #RING_AFTER} or {@link #RING_PLPGSQL}; delivery arms it and listens on {@link #CHANNEL}.
 */
public final class Doorbell {
  public static final String CHANNEL = "whiskfeed_events";

  /**
   * Arms when disarmed, and recreates the row if a crash emptied the table. A row another
   * transaction holds is skipped, not waited for: a writer holding it is ringing, and its NOTIFY
   * comes with its commit (waiting took 0.8 ms per arming with 100 feeds at 1,000 events/s, and as
   * long as a writer's transaction lasts).
   */
  public static final String ARM = """
      WITH armed AS (
        UPDATE whiskfeed.doorbell SET armed = true
        WHERE id IN (SELECT id FROM whiskfeed.doorbell WHERE NOT armed FOR UPDATE SKIP LOCKED))
      INSERT INTO whiskfeed.doorbell (id, armed) SELECT true, true
      WHERE NOT EXISTS (SELECT 1 FROM whiskfeed.doorbell)
      ON CONFLICT (id) DO NOTHING""";

  /**
   * Rings when armed. Run in the writer's transaction, after the event row is written. SKIP LOCKED:
   * a writer never waits for another one that is ringing (whose NOTIFY will wake the consumer).
   */
  public static final String RING = """
      WITH rang AS (
        UPDATE whiskfeed.doorbell SET armed = false
        WHERE id IN (SELECT id FROM whiskfeed.doorbell WHERE armed FOR UPDATE SKIP LOCKED) RETURNING 1)
      SELECT pg_notify('%s', '') FROM rang""".formatted(CHANNEL);

  /**
   * A CTE for a statement that writes events into a CTE named {@code ins}: rings when armed and
   * the statement wrote at least one event.
   */
  public static final String RING_AFTER = """
      rang AS (
        UPDATE whiskfeed.doorbell SET armed = false
        WHERE EXISTS (SELECT 1 FROM ins)
          AND id IN (SELECT id FROM whiskfeed.doorbell WHERE armed FOR UPDATE SKIP LOCKED)
        RETURNING pg_catalog.pg_notify('%s', ''))""".formatted(CHANNEL);

  /**
   * The same in a capture trigger's function, after a statement whose row count is in {@code n}. A
   * plain read first: while delivery is busy the doorbell is not armed and the writer pays one
   * index-free read of a one-row table.
   */
  public static final String RING_PLPGSQL = """
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 AND EXISTS (SELECT 1 FROM whiskfeed.doorbell x WHERE x.armed) THEN
          UPDATE whiskfeed.doorbell d SET armed = false
           WHERE d.id IN (SELECT x.id FROM whiskfeed.doorbell x WHERE x.armed FOR UPDATE SKIP LOCKED);
          IF FOUND THEN
            PERFORM pg_catalog.pg_notify('%s', '');
          END IF;
        END IF;
      """.formatted(CHANNEL);

  private Doorbell() {}

  public static Future<Void> arm(SqlClient c) {
    return c.preparedQuery(ARM).execute().mapEmpty();
  }
}
