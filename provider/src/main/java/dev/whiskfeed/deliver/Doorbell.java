package dev.whiskfeed.deliver;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

/**
 * The one-row doorbell of an event store. A NOTIFY serializes committing transactions
 * cluster-wide, so writers notify only when the doorbell is armed, and the first one disarms it;
 * the consumer arms it when it found the queue empty. A busy store therefore costs writers no
 * NOTIFY at all. The table is unlogged: after a crash it is empty, and arming recreates the row.
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
      SELECT pg_notify('whiskfeed_events', '') FROM rang""";

  private Doorbell() {}

  public static Future<Void> arm(SqlClient c) {
    return c.preparedQuery(ARM).execute().mapEmpty();
  }
}
