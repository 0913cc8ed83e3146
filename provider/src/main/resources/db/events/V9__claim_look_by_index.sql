-- Delivery core v2 (issue 19): the look a claim takes before its lock reads the claim index.
--
-- A claim first looks whether anything is due in its range and returns at once if not (events
-- migration V6). On the claim connection (generic plans) that look was planned as a scan of the
-- pending table in storage order, stopping at the first due row: after a backlog's first deliveries
-- it walked every pending row deleted since the last vacuum, on every claim (EngineBench at
-- batchSize 100: 3.3 ms a look, 55 looks a drain of 100k events; CoreStatementsBench: 0.3 ms a
-- claim of 100 after 20k events). It now asks for the first due event in due order, which the
-- claim index answers from the range's start. The rest of the function is as in V8.

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
  -- The look: the first due event of the claim's range, read from the claim index in due order. As
  -- an EXISTS over the range, the claim connection's generic plan read the pending table in storage
  -- order and walked every row deleted since the last vacuum before the first live one (0.3 ms a
  -- look 20k events into a backlog, 3 ms at 100k). The range is written out, not v_from: with a
  -- variable there the generic plan read the feeds' pending rows by key (events migration V8).
  IF (SELECT x.next_attempt_at FROM whiskfeed.pending x
      WHERE x.next_attempt_at <= pg_catalog.now() AND x.feed_id = ANY(p_feeds)
        AND x.next_attempt_at >= CASE WHEN p_counts IS NULL
              THEN COALESCE(LEAST(p_floor, pg_catalog.now() - p_window_ms * interval '1 millisecond'), '-infinity')
              ELSE '-infinity' END
      ORDER BY x.next_attempt_at LIMIT 1) IS NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('whiskfeed.claim', 19));
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO whiskfeed.leases AS l (holder, until) VALUES (p_holder, now() + p_lease_ms * interval '1 millisecond')
  ON CONFLICT (holder) DO UPDATE SET until = EXCLUDED.until;
  -- the leases that ran out, and their claims (through claims_holder: live claims are not read)
  WITH ended AS (
    DELETE FROM whiskfeed.leases l WHERE l.until <= now() RETURNING l.holder
  ), gone AS (
    DELETE FROM whiskfeed.claims c USING ended WHERE c.holder = ended.holder RETURNING c.holder, c.ids, c.dues)
  SELECT array_agg(h.id), array_agg(h.due), array_agg(gone.holder) INTO v_ids, v_dues, v_prev
  FROM gone CROSS JOIN LATERAL unnest(gone.ids, gone.dues) AS h(id, due);

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
