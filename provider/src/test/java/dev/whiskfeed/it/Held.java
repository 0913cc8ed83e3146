package dev.whiskfeed.it;

import dev.whiskfeed.testing.TestDatabase;

/**
 * What the tests read and write of the leases (events migration V6): an event is held while a live
 * lease's claim lists it with the due time its pending row still has.
 */
final class Held {
  /** The pending events held right now, with their holder as {@code holder}. */
  static final String PENDING = "SELECT p.id, h.holder FROM whiskfeed.pending p "
      + "JOIN whiskfeed.held h ON h.id = p.id AND h.due = p.next_attempt_at";

  private Held() {}

  static long count(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM (" + PENDING + ") x");
  }

  /**
   * Inserts {@code n} MANUAL events of {@code feedId} held by {@code holder} until {@code until} (an
   * SQL expression), due since {@code due}: what an instance leaves behind. One statement, so no
   * running claim sees the events without their lease.
   */
  static void insertHeldBy(TestDatabase db, long feedId, int n, String holder, String due, String until) {
    db.execute("WITH e AS (INSERT INTO whiskfeed.events (feed_id, op, payload, next_attempt_at) "
        + "SELECT ?, 'MANUAL', jsonb_build_object('data', jsonb_build_object('n', g)), " + due
        + " FROM generate_series(1, ?) g RETURNING id, next_attempt_at), "
        + "l AS (INSERT INTO whiskfeed.leases (holder, until) VALUES (?, " + until + ") "
        + "ON CONFLICT (holder) DO UPDATE SET until = EXCLUDED.until) "
        + "INSERT INTO whiskfeed.claims (holder, ids, dues) SELECT ?, array_agg(id), array_agg(next_attempt_at) FROM e",
        feedId, n, holder, holder);
  }
}
