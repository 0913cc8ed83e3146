-- Delivery core v2 (issue 19): what a claim and an outcome read no longer grows with what was
-- delivered since the last vacuum.
--
-- 1. The look a claim takes before its lock (is anything due in its range?) asks for the first due
--    event in due order. As an EXISTS it was planned, on the claim connection's generic plans, as a
--    scan of the pending table in storage order, past every row deleted since the last vacuum
--    (EngineBench at batchSize 100: 3.3 ms of wall time a look on average in a 100k drain;
--    CoreStatementsBench, claims of 100 from a 100k backlog: 18-20 us of database CPU per event,
--    10-12 after). It also skips the events live claims hold, as the claim itself does.
-- 2. Every claim inserts a row of whiskfeed.claims and its last outcome deletes it, so at one event
--    a claim (a quiet feed, batchSize 1) the table holds thousands of dead rows between two runs of
--    autovacuum. Outcomes found their claims through claims_holder, in a bitmap scan (which never
--    marks an entry dead) over every claim the holder made since the last vacuum, and each claim
--    joined its expired leases to that table. Outcomes now find their claims by key, the claim reads
--    the table for expired leases only when one expired, and the provider vacuums the table after
--    every thousand claims it settled (ClaimRepository). The holder's other statements (lease
--    renewal, release) are rare and read the small table whole.
-- The rest of the claim function is as in events migration V8.

DROP INDEX whiskfeed.claims_holder;

CREATE OR REPLACE FUNCTION whiskfeed.claim(p_holder text, p_lease_ms bigint, p_feeds bigint[], p_n int,
                                p_floor timestamptz, p_window_ms bigint, p_counts int[])
RETURNS TABLE (id uuid, seq bigint, feed_id bigint, op text, p_table text, p_data text, created_at timestamptz,
               attempts int, throttled int, prev text, due_at timestamptz, claim bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ids uuid[];
  v_dues timestamptz[];
  v_prev text[];
  v_from timestamptz := COALESCE(LEAST(p_floor, pg_catalog.now() - p_window_ms * interval '1 millisecond'), '-infinity');
BEGIN
  -- The look: the first due event of the claim's range that no live claim holds, read from the claim
  -- index in due order. As an EXISTS over the range, the claim connection's generic plan read the
  -- pending table in storage order and walked every row deleted since the last vacuum before the
  -- first live one. It skips held events, as the claim does: the claim that follows one that found
  -- work (to see whether there is more) found a quiet feed's only event held by the claim before,
  -- and took the lock and renewed the lease for nothing. Before the lock the held events may be
  -- read just before a claim settles: a claim that returns here for that is followed by the one its
  -- outcome wakes. The range is written out, not v_from: with a variable there the generic plan read
  -- the feeds' pending rows by key (events migration V8).
  IF (SELECT x.next_attempt_at FROM whiskfeed.pending x
      WHERE x.next_attempt_at <= pg_catalog.now() AND x.feed_id = ANY(p_feeds)
        AND x.next_attempt_at >= CASE WHEN p_counts IS NULL
              THEN COALESCE(LEAST(p_floor, pg_catalog.now() - p_window_ms * interval '1 millisecond'), '-infinity')
              ELSE '-infinity' END
        AND (x.id, x.next_attempt_at) NOT IN (
              SELECT h.id, h.due FROM whiskfeed.leases l JOIN whiskfeed.claims k ON k.holder = l.holder
              CROSS JOIN LATERAL unnest(k.ids, k.dues) AS h(id, due)
              WHERE l.until > pg_catalog.now() AND (k.top IS NULL OR k.top >= v_from))
      ORDER BY x.next_attempt_at LIMIT 1) IS NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('whiskfeed.claim', 19));
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO whiskfeed.leases AS l (holder, until) VALUES (p_holder, now() + p_lease_ms * interval '1 millisecond')
  ON CONFLICT (holder) DO UPDATE SET until = EXCLUDED.until;
  -- the leases that ran out, and then (rarely) their claims: the claims table is read only when a
  -- lease ended, as it holds every claim deleted since the last vacuum
  WITH ended AS (
    DELETE FROM whiskfeed.leases l WHERE l.until <= now() RETURNING l.holder
  )
  SELECT array_agg(ended.holder) INTO v_prev FROM ended;
  IF v_prev IS NOT NULL THEN
    WITH gone AS (
      DELETE FROM whiskfeed.claims c WHERE c.holder = ANY(v_prev) RETURNING c.holder, c.ids, c.dues)
    SELECT array_agg(h.id), array_agg(h.due), array_agg(gone.holder) INTO v_ids, v_dues, v_prev
    FROM gone CROSS JOIN LATERAL unnest(gone.ids, gone.dues) AS h(id, due);
  END IF;

  IF p_counts IS NULL THEN
    RETURN QUERY
    WITH c AS (
      SELECT x.id, x.next_attempt_at FROM whiskfeed.pending x
      WHERE x.next_attempt_at <= now() AND x.feed_id = ANY(p_feeds)
        AND x.next_attempt_at >= COALESCE(LEAST(p_floor, now() - p_window_ms * interval '1 millisecond'), '-infinity')
        AND (x.id, x.next_attempt_at) NOT IN (
              SELECT h.id, h.due FROM whiskfeed.leases l JOIN whiskfeed.claims k ON k.holder = l.holder
              CROSS JOIN LATERAL unnest(k.ids, k.dues) AS h(id, due)
              WHERE l.until > now() AND (k.top IS NULL OR k.top >= v_from))
      ORDER BY x.next_attempt_at LIMIT p_n
    ), ins AS (
      INSERT INTO whiskfeed.claims (holder, ids, dues, top)
      SELECT p_holder, array_agg(c.id), array_agg(c.next_attempt_at), max(c.next_attempt_at) FROM c HAVING count(*) > 0
      RETURNING whiskfeed.claims.id
    )
    SELECT e.id, e.seq, e.feed_id, e.op, (e.payload -> 'table')::text, (e.payload -> 'data')::text, e.created_at,
           e.attempts, e.throttled, t.holder, c.next_attempt_at, (SELECT ins.id FROM ins)
    FROM c JOIN whiskfeed.events e ON e.id = c.id
    LEFT JOIN unnest(v_ids, v_dues, v_prev) AS t(id, due, holder) ON t.id = c.id AND t.due = c.next_attempt_at
    ORDER BY c.next_attempt_at;
  ELSE
    RETURN QUERY
    WITH heads AS (
      SELECT h.id, h.feed_id, h.seq, h.next_attempt_at,
             h.next_attempt_at <= now() AND (h.id, h.next_attempt_at) NOT IN (SELECT x.id, x.due FROM whiskfeed.held x) AS due
      FROM unnest(p_feeds, p_counts) AS f(id, n)
      CROSS JOIN LATERAL (
        SELECT x.id, x.feed_id, x.seq, x.next_attempt_at FROM whiskfeed.pending x
        WHERE x.feed_id = f.id ORDER BY x.seq LIMIT f.n) h
    ), c AS (
      SELECT heads.id, heads.next_attempt_at,
             bool_and(heads.due) OVER (PARTITION BY heads.feed_id ORDER BY heads.seq) AS ok
      FROM heads
    ), ins AS (
      INSERT INTO whiskfeed.claims (holder, ids, dues, top)
      SELECT p_holder, array_agg(c.id), array_agg(c.next_attempt_at), max(c.next_attempt_at) FROM c WHERE c.ok
      HAVING count(*) > 0
      RETURNING whiskfeed.claims.id
    )
    SELECT e.id, e.seq, e.feed_id, e.op, (e.payload -> 'table')::text, (e.payload -> 'data')::text, e.created_at,
           e.attempts, e.throttled, t.holder, NULL::timestamptz, (SELECT ins.id FROM ins)
    FROM c JOIN whiskfeed.events e ON e.id = c.id
    LEFT JOIN unnest(v_ids, v_dues, v_prev) AS t(id, due, holder) ON t.id = c.id AND t.due = c.next_attempt_at
    WHERE c.ok
    ORDER BY e.feed_id, e.seq;
  END IF;
END
$$;
