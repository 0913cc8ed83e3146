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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Leases on one store's events (events migration V6). A pending event has a row in the narrow
 * {@code whiskfeed.pending}; it is claimable when due ({@code next_attempt_at <= now()}: one range
 * scan of {@code pending_claim}, whatever the number of delivered events) and not held. A claim
 * ({@code whiskfeed.claim}, one claimer of a store at a time) records what it took as one row of
 * {@code whiskfeed.claims} and renews the holder's one row of {@code whiskfeed.leases}: nothing is
 * written per event to take it. An outcome deletes the pending row (or moves its due time, which
 * frees the event); a fire of several events appends one row to {@code whiskfeed.fired}, and any
 * other outcome writes the events row, whose indexes hold none of the columns it changes: a
 * heap-only update. A renewal writes the holder's lease row only, whatever it holds.
 */
public final class ClaimRepository {
  // Leases and outcomes commit asynchronously (Database.ASYNC_COMMIT): a database crash can lose
  // the last fraction of a second of them, and those events are fired again, never lost.
  private static final String ASYNC_COMMIT = " AND " + Database.ASYNC_COMMIT;

  /**
   * Unordered claims: the first {@code $4} due events of the feeds {@code $3} in due order, due since
   * the floor {@code $5} or the last {@code $6} ms, whichever is earlier (both NULL: all). Every
   * outcome leaves a dead entry in the claim index where the event was due, until vacuum removes it,
   * so a claim from the start of the index walks past every event delivered since the last vacuum
   * (231k entries, 4 ms a claim, growing until autovacuum comes); from the floor, a claim walks only
   * what was claimed since the last full claim.
   */
  private static final String CLAIM = "SELECT * FROM whiskfeed.claim($1, $2, $3, $4, $5, $6, NULL)";

  /**
   * Ordered feeds: the due prefix of the first {@code n} pending events of each feed, in seq order.
   * A held or retrying head is not due, so it holds back its own feed's later events (and only
   * those); claims of a store never run at once, so two claimers cannot take one feed's events out of order.
   */
  private static final String CLAIM_ORDERED = "SELECT * FROM whiskfeed.claim($1, $2, $3, NULL, NULL, NULL, $4)";

  /**
   * Outcomes of events (with their pending key, {@code $12} and {@code $13}: the event row is not
   * read) whose claim ({@code $10}, per event) is still {@code $9}'s (a lease that ran
   * out may have been taken over, its claims deleted: those outcomes are dropped, and the new holder
   * fires the events again): a final state deletes the pending row, a retry (or an event handed
   * back) moves its due time, which frees it. An event delivered in a fire of several writes
   * nothing more of its own: the fire appends one row to {@code whiskfeed.fired} (events migration
   * V7; the events of one fire share their activation). An event delivered alone writes its row
   * (when, which activation) and keeps its state 'pending' (V7: no state written, so the update stays
   * heap-only; it is delivered for having no pending row). The events rows of the other outcomes
   * take them, carried by the
   * rows the pending set returns (a join back to the outcomes, or an {@code e.id = ANY(array)}
   * beside the key, was planned as a loop over both: 65 ms for an acknowledgement of 500); their
   * {@code next_attempt_at} says when the outcome was written, so no earlier fire is read as a
   * later delivery. The claims none of whose events is held any more ({@code $11}) go in the same
   * statement. Claims are read by their keys only (events migration V9): the table holds every
   * claim deleted since the last vacuum, and a read by holder walked them all.
   */
  private static final String ACK = """
      WITH u AS (
        SELECT u.*
        FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::bigint[], $6::int[], $7::text[], $8::text[],
                    $10::bigint[], $12::bigint[], $13::bigint[], $14::boolean[])
             AS u(id, state, inc, thr, delay_ms, status, err, act, claim, feed_id, seq, alone)
        WHERE u.claim IN (SELECT c.id FROM whiskfeed.claims c WHERE c.id = ANY($10) AND c.holder = $9)""" + ASYNC_COMMIT + """

      ), settled AS (
        DELETE FROM whiskfeed.claims c WHERE c.holder = $9 AND c.id = ANY($11)
      ), done AS (
        DELETE FROM whiskfeed.pending p USING u
        WHERE p.feed_id = u.feed_id AND p.seq = u.seq AND p.id = u.id AND u.state <> 'pending'
        RETURNING u.*
      ), back AS (
        UPDATE whiskfeed.pending p SET next_attempt_at = now() + u.delay_ms * interval '1 millisecond'
        FROM u WHERE p.feed_id = u.feed_id AND p.seq = u.seq AND p.id = u.id AND u.state = 'pending'
        RETURNING u.*
      ), fired AS (
        INSERT INTO whiskfeed.fired (feed_id, first_seq, seqs, at, status_code, activation_id)
        SELECT d.feed_id, min(d.seq), array_agg(d.seq), now(), d.status, d.act
        FROM done d WHERE d.state = 'delivered' AND NOT d.alone GROUP BY d.feed_id, d.status, d.act
      ), w AS (
        SELECT * FROM done WHERE state <> 'delivered' OR alone UNION ALL SELECT * FROM back
      ), rows AS (
        UPDATE whiskfeed.events e SET
        state = CASE WHEN w.state = 'delivered' THEN 'pending' ELSE w.state END,
        attempts = e.attempts + w.inc,
        throttled = e.throttled + w.thr,
        next_attempt_at = now(),
        last_status = COALESCE(w.status, e.last_status),
        last_error = CASE WHEN w.inc = 1 THEN w.err ELSE e.last_error END,
        activation_id = COALESCE(w.act, e.activation_id),
        delivered_at = CASE WHEN w.state = 'pending' THEN NULL ELSE now() END
        FROM w WHERE e.id = w.id
      )
      SELECT (SELECT count(*) FROM done) + (SELECT count(*) FROM back) AS n""";

  /**
   * Renews every claim of the holder at once; answers those of the claims it knows ({@code $3}) still
   * in the store (one whose lease ran out may have been taken over and deleted, even if a later claim
   * of the holder made a new lease). A claim of the holder it does not know and older than a lease
   * (its answer never reached the worker: a claim round failed in part, a statement timed out after
   * its commit) is deleted, so it does not hold its events for as long as the holder lives.
   */
  private static final String RENEW = """
      WITH l AS (
        UPDATE whiskfeed.leases SET until = now() + $2 * interval '1 millisecond'
        WHERE holder = $1""" + ASYNC_COMMIT + """

        RETURNING holder
      ), lost AS (
        DELETE FROM whiskfeed.claims c
        WHERE c.holder = $1 AND c.id <> ALL($3) AND c.made_at < now() - $2 * interval '1 millisecond'
      )
      SELECT c.id FROM whiskfeed.claims c JOIN l ON l.holder = c.holder WHERE c.id = ANY($3)""";

  // An event whose last answer was a 429 keeps its wait (Retry-After, or at least 60 s): a success
  // of another fire says the endpoint works, not that the namespace's throttle has reset. An event
  // waiting out a backoff is due later than any claim saw it, so it is not held.
  private static final String PULL_FORWARD = """
      UPDATE whiskfeed.pending SET next_attempt_at = now()
      WHERE ctid = ANY (ARRAY(SELECT p.ctid FROM whiskfeed.pending p JOIN whiskfeed.events e ON e.id = p.id
                              WHERE p.feed_id = $1 AND p.next_attempt_at > now()
                                AND e.attempts > 0 AND e.last_status IS DISTINCT FROM 429
                              FOR UPDATE OF p SKIP LOCKED))""";

  /**
   * Every claim is a row its last outcome deletes, and the claims and outcomes read the table whole
   * in places (the held events, a lease taken over): between two runs of autovacuum (a minute) a
   * quiet feed's claims of one event leave thousands of dead rows there. The provider vacuums it
   * after every {@link #VACUUM_EVERY} claims settled; a second instance vacuuming at the same moment
   * is skipped, and a role that does not own the table gets a warning, not an error.
   */
  private static final String VACUUM_CLAIMS = "VACUUM (SKIP_LOCKED) whiskfeed.claims";
  public static final int VACUUM_EVERY = 1_000;

  /** Hands back everything the holder holds: the events it listed, released at once. */
  private static final String RELEASE_ALL = """
      WITH c AS (DELETE FROM whiskfeed.claims WHERE holder = $1 RETURNING cardinality(ids) AS n),
           l AS (DELETE FROM whiskfeed.leases WHERE holder = $1)
      SELECT COALESCE(sum(n), 0)::int AS n FROM c""";

  /** The first {@code limit} due events of {@code feedIds}, in due order. */
  public Future<List<ClaimedEvent>> claim(SqlClient c, String holder, long leaseMs, long[] feedIds, int limit) {
    return c.preparedQuery(CLAIM).execute(Tuple.of(holder, leaseMs, boxed(feedIds), limit, null, null))
        .map(ClaimRepository::events);
  }

  /**
   * As {@link #claim}, of the events due since {@code floor} or the last {@code windowMs}, whichever
   * is earlier ({@code floor} null: the last {@code windowMs}).
   */
  public Future<List<ClaimedEvent>> claimSince(SqlClient c, String holder, long leaseMs, long[] feedIds, int limit,
                                               Instant floor, long windowMs) {
    OffsetDateTime since = floor == null ? null : floor.atOffset(ZoneOffset.UTC);
    return c.preparedQuery(CLAIM).execute(Tuple.of(holder, leaseMs, boxed(feedIds), limit, since, windowMs))
        .map(ClaimRepository::events);
  }

  public Future<List<ClaimedEvent>> claimOrdered(SqlClient c, String holder, long leaseMs, long[] feedIds, int[] n) {
    Integer[] counts = new Integer[n.length];
    for (int i = 0; i < n.length; i++) counts[i] = n[i];
    return c.preparedQuery(CLAIM_ORDERED).execute(Tuple.of(holder, leaseMs, boxed(feedIds), counts))
        .map(ClaimRepository::events);
  }

  /**
   * Writes {@code acks}, each of the event at the same index of {@code events}, as the claim that
   * holds it took it (null: it matches no claim, the outcome is dropped); {@code settledClaims}:
   * the holder's claims none of whose events it holds any more. Answers how many outcomes were written.
   */
  public Future<Integer> ack(SqlClient c, String holder, List<Ack> acks, List<ClaimedEvent> events,
                             long[] settledClaims) {
    int n = acks.size();
    UUID[] ids = new UUID[n];
    String[] states = new String[n];
    Integer[] inc = new Integer[n];
    Integer[] thr = new Integer[n];
    Long[] delay = new Long[n];
    Integer[] status = new Integer[n];
    String[] err = new String[n];
    String[] act = new String[n];
    Long[] claims = new Long[n];
    Long[] feeds = new Long[n];
    Long[] seqs = new Long[n];
    Boolean[] alone = alone(acks, events);
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
      ClaimedEvent e = events.get(i);
      claims[i] = e == null ? 0L : e.claim();
      feeds[i] = e == null ? 0L : e.feedId();
      seqs[i] = e == null ? 0L : e.seq();
    }
    return c.preparedQuery(ACK).execute(Tuple.from(new Object[] {ids, states, inc, thr, delay, status, err, act, holder,
        claims, boxed(settledClaims), feeds, seqs, alone}))
        .map(rows -> rows.iterator().next().getInteger("n"));
  }

  /**
   * Per outcome, whether it is a delivery alone of its kind in this statement (its feed, status and
   * activation): a fire of one event, which writes the event's row rather than a row of
   * {@code whiskfeed.fired}. Worked out here rather than in the statement: a window over the
   * outcomes there changed its estimates enough for Postgres to read the whole events table
   * instead of looking each event up (3 ms a statement at batchSize 1).
   */
  private static Boolean[] alone(List<Ack> acks, List<ClaimedEvent> events) {
    Map<List<Object>, Integer> fires = new HashMap<>();
    List<List<Object>> keys = new ArrayList<>(acks.size());
    for (int i = 0; i < acks.size(); i++) {
      Ack a = acks.get(i);
      ClaimedEvent e = events.get(i);
      List<Object> key = Arrays.asList(e == null ? 0L : e.feedId(), a.statusCode(), a.activationId());
      keys.add(key);
      if ("delivered".equals(a.state())) fires.merge(key, 1, Integer::sum);
    }
    Boolean[] out = new Boolean[acks.size()];
    for (int i = 0; i < out.length; i++) out[i] = fires.getOrDefault(keys.get(i), 0) <= 1;
    return out;
  }

  /** Vacuums the claims table (see {@link #VACUUM_EVERY}). */
  public Future<Void> vacuumClaims(SqlClient c) {
    return c.query(VACUUM_CLAIMS).execute().mapEmpty();
  }

  /** Renews the holder's lease; which of the claims it knows are still in the store (renewed with it). */
  public Future<Set<Long>> renew(SqlClient c, String holder, long leaseMs, long[] known) {
    return c.preparedQuery(RENEW).execute(Tuple.of(holder, leaseMs, boxed(known))).map(rows -> {
      Set<Long> alive = new HashSet<>();
      rows.forEach(r -> alive.add(r.getLong("id")));
      return alive;
    });
  }

  /** A feed's endpoint works again: its events waiting out a backoff are due now. */
  public Future<Integer> pullForward(SqlClient c, long feedId) {
    return c.preparedQuery(PULL_FORWARD).execute(Tuple.of(feedId)).map(RowSet::rowCount);
  }

  /** Hands back every event the holder holds; how many its claims listed. */
  public Future<Integer> releaseAll(SqlClient c, String holder) {
    return c.preparedQuery(RELEASE_ALL).execute(Tuple.of(holder)).map(rows -> rows.iterator().next().getInteger("n"));
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
