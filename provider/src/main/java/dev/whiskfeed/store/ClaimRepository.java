package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Leases on one store's events. An event is claimable when {@code state = 'pending' AND
 * next_attempt_at <= now()} (one range scan of the partial pending index, whatever the number of
 * delivered rows) and no lease holds it ({@code locked_until} is null or past). A lease writes only
 * {@code locked_by} and {@code locked_until}, which no index holds: the leased row is a heap-only
 * tuple on its own page (events migration V5), not a new entry in every index of the table.
 */
public final class ClaimRepository {
  // the payload's parts as text, put into the fire's body as they are: numbers keep every digit
  private static final String RETURNING = " RETURNING e.id, e.seq, e.feed_id, e.op, (e.payload -> 'table')::text AS p_table,"
      + " (e.payload -> 'data')::text AS p_data, e.created_at, e.attempts, e.throttled, c.prev";

  // Leases and outcomes commit asynchronously (Database.ASYNC_COMMIT): a database crash can lose
  // the last fraction of a second of them, and those events are fired again, never lost.
  private static final String ASYNC_COMMIT = " AND " + Database.ASYNC_COMMIT;

  private static final String CLAIM = """
      UPDATE whiskfeed.events e
      SET locked_by = $1, locked_until = now() + $2 * interval '1 millisecond'
      FROM (SELECT id, locked_by AS prev, next_attempt_at AS due_at FROM whiskfeed.events
            WHERE state = 'pending' AND next_attempt_at <= now() AND feed_id = ANY($3)
              AND (locked_until IS NULL OR locked_until <= now())
            ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) c
      WHERE e.id = c.id""" + ASYNC_COMMIT + RETURNING + ", c.due_at";

  /**
   * A claim of the events due since a floor: the oldest event the last full claim took ({@code $5},
   * NULL when it took none), or the last {@code $6} ms, whichever is earlier. Every lease and every
   * outcome leaves a dead entry in the pending index where the event was due, until vacuum removes
   * it, so a claim from the start of the index walks past every event delivered since the last
   * vacuum: 231k entries, 4 ms a claim (100 ms and more planned as a bitmap scan), growing until
   * autovacuum comes (once a minute at best). From the floor, a claim walks only what was claimed
   * since the last full claim.
   */
  private static final String CLAIM_SINCE = CLAIM.replace("AND next_attempt_at <= now()",
      "AND next_attempt_at <= now()\n              AND next_attempt_at >= LEAST($5::timestamptz, now() - $6 * interval '1 millisecond')");

  /**
   * Ordered feeds: the due prefix of the first {@code n} pending events of each feed, in seq order.
   * A leased or retrying head is not due, so it holds back its own feed's later events (and only
   * those). The heads are locked without SKIP LOCKED so two claimers can never take events of one
   * feed out of order. The heads are found through {@code events_pending}, and the rows to lease by
   * id ({@code = ANY}): planned once for any parameters, a join to them would read the whole table
   * (77 ms per claim at 220k rows, against 1 ms).
   */
  private static final String CLAIM_ORDERED = """
      WITH heads AS (
        SELECT h.id, h.feed_id, h.seq, h.locked_by AS prev,
               h.next_attempt_at <= now() AND (h.locked_until IS NULL OR h.locked_until <= now()) AS due
        FROM unnest($3::bigint[], $4::int[]) AS f(id, n)
        CROSS JOIN LATERAL (
          SELECT x.id, x.feed_id, x.seq, x.locked_by, x.locked_until, x.next_attempt_at FROM whiskfeed.events x
          WHERE x.feed_id = f.id AND x.state = 'pending' ORDER BY x.seq LIMIT f.n FOR UPDATE) h
      ), c AS (
        SELECT id, prev, bool_and(due) OVER (PARTITION BY feed_id ORDER BY seq) AS ok FROM heads
      )
      UPDATE whiskfeed.events e
      SET locked_by = $1, locked_until = now() + $2 * interval '1 millisecond'
      WHERE e.id = ANY (ARRAY(SELECT id FROM c WHERE ok))""" + ASYNC_COMMIT
      + RETURNING.replace("c.prev", "(SELECT c.prev FROM c WHERE c.id = e.id) AS prev");

  private static final String ACK = """
      UPDATE whiskfeed.events e SET
        state = u.state,
        attempts = e.attempts + u.inc,
        throttled = e.throttled + u.thr,
        next_attempt_at = now() + u.delay_ms * interval '1 millisecond',
        locked_by = NULL, locked_until = NULL,
        last_status = COALESCE(u.status, e.last_status),
        last_error = CASE WHEN u.inc = 1 THEN u.err ELSE e.last_error END,
        activation_id = COALESCE(u.act, e.activation_id),
        delivered_at = CASE WHEN u.state = 'pending' THEN NULL ELSE now() END
      FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::bigint[], $6::int[], $7::text[], $8::text[])
           AS u(id, state, inc, thr, delay_ms, status, err, act)
      WHERE e.id = u.id AND e.locked_by = $9""" + ASYNC_COMMIT;

  // Renewal and the pull-forward skip rows another statement is changing (an ack in flight): they
  // never wait for row locks, so they cannot deadlock with the acks, which lock rows in another order.
  private static final String RENEW = """
      UPDATE whiskfeed.events SET locked_until = now() + $2 * interval '1 millisecond'
      WHERE id IN (SELECT id FROM whiskfeed.events
                   WHERE id = ANY($3) AND locked_by = $1 AND state = 'pending' FOR UPDATE SKIP LOCKED)""" + ASYNC_COMMIT + """
      RETURNING id""";

  // An event whose last answer was a 429 keeps its wait (Retry-After, or at least 60 s): a success
  // of another fire says the endpoint works, not that the namespace's throttle has reset.
  private static final String PULL_FORWARD = """
      UPDATE whiskfeed.events SET next_attempt_at = now()
      WHERE id IN (SELECT id FROM whiskfeed.events
                   WHERE feed_id = $1 AND state = 'pending' AND locked_by IS NULL AND attempts > 0
                     AND last_status IS DISTINCT FROM 429
                     AND next_attempt_at > now() FOR UPDATE SKIP LOCKED)""";

  private static final String RELEASE_ALL = """
      UPDATE whiskfeed.events SET locked_by = NULL, locked_until = NULL
      WHERE locked_by = $1 AND state = 'pending'""";

  /** The first {@code limit} due events of {@code feedIds}, in due order. */
  public Future<List<ClaimedEvent>> claim(SqlClient c, String holder, long leaseMs, long[] feedIds, int limit) {
    return c.preparedQuery(CLAIM).execute(Tuple.of(holder, leaseMs, boxed(feedIds), limit)).map(ClaimRepository::events);
  }

  /**
   * As {@link #claim}, of the events due since {@code floor} or the last {@code windowMs}, whichever
   * is earlier ({@code floor} null: the last {@code windowMs}).
   */
  public Future<List<ClaimedEvent>> claimSince(SqlClient c, String holder, long leaseMs, long[] feedIds, int limit,
                                               Instant floor, long windowMs) {
    OffsetDateTime since = floor == null ? null : floor.atOffset(ZoneOffset.UTC);
    return c.preparedQuery(CLAIM_SINCE).execute(Tuple.of(holder, leaseMs, boxed(feedIds), limit, since, windowMs))
        .map(ClaimRepository::events);
  }

  public Future<List<ClaimedEvent>> claimOrdered(SqlClient c, String holder, long leaseMs, long[] feedIds, int[] n) {
    Integer[] counts = new Integer[n.length];
    for (int i = 0; i < n.length; i++) counts[i] = n[i];
    return c.preparedQuery(CLAIM_ORDERED).execute(Tuple.of(holder, leaseMs, boxed(feedIds), counts))
        .map(ClaimRepository::events);
  }

  public Future<Integer> ack(SqlClient c, String holder, List<Ack> acks) {
    int n = acks.size();
    UUID[] ids = new UUID[n];
    String[] states = new String[n];
    Integer[] inc = new Integer[n];
    Integer[] thr = new Integer[n];
    Long[] delay = new Long[n];
    Integer[] status = new Integer[n];
    String[] err = new String[n];
    String[] act = new String[n];
    for (int i = 0; i < n; i++) {
      Ack a = acks.get(i);
      ids[i] = a.id();
      states[i] = a.state();
      inc[i] = a.attempted() ? 1 : 0;
      thr[i] = a.throttled() ? 1 : 0;
      delay[i] = a.delayMs();
      status[i] = a.statusCode();
      err[i] = a.error();
      act[i] = a.activationId();
    }
    return c.preparedQuery(ACK).execute(Tuple.from(new Object[] {ids, states, inc, thr, delay, status, err, act, holder}))
        .map(RowSet::rowCount);
  }

  /** The ids whose lease was renewed: still held by {@code holder}, and not being written by another statement. */
  public Future<List<UUID>> renew(SqlClient c, String holder, long leaseMs, UUID[] ids) {
    return c.preparedQuery(RENEW).execute(Tuple.of(holder, leaseMs, ids)).map(rows -> {
      List<UUID> renewed = new ArrayList<>(rows.rowCount());
      rows.forEach(r -> renewed.add(r.getUUID("id")));
      return renewed;
    });
  }

  /** A feed's endpoint works again: its events waiting out a backoff are due now. */
  public Future<Integer> pullForward(SqlClient c, long feedId) {
    return c.preparedQuery(PULL_FORWARD).execute(Tuple.of(feedId)).map(RowSet::rowCount);
  }

  public Future<Integer> releaseAll(SqlClient c, String holder) {
    return c.preparedQuery(RELEASE_ALL).execute(Tuple.of(holder)).map(RowSet::rowCount);
  }

  private static Long[] boxed(long[] ids) {
    Long[] out = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = ids[i];
    return out;
  }

  private static List<ClaimedEvent> events(RowSet<Row> rows) {
    List<ClaimedEvent> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(ClaimedEvent.of(r)));
    return out;
  }
}
