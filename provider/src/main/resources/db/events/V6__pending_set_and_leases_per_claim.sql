-- Delivery core v2 (issue 19): the delivery path writes per claim, not per event, wherever it can.
--
-- 1. The pending set moves to a narrow table of its own. A pending event has a row in
--    whiskfeed.pending (its key, when it was created, when it is due); the claims read only that
--    table. An outcome deletes the pending row (or moves its due time) and writes the events row,
--    whose indexes now hold none of the columns an outcome writes: a heap-only update on the row's
--    own page, with no new entry in any index (before: a new entry in each of three).
-- 2. A lease is recorded per claim: one row in whiskfeed.claims lists the ids a claim took with the
--    due time each had, and the holder's one row in whiskfeed.leases says until when its claims
--    hold (renewed for all of them at once). An event is held while a live lease's claim lists it
--    with the due time it still has: every outcome moves or deletes the pending row, so a retried
--    or handed-back event is free again at once, with nothing written to the claim. Both tables
--    are unlogged: a database crash empties them, and what they held is claimed again (fired
--    again, never lost), as a lost asynchronous commit of a lease did before.
--
-- Measured outside the provider by StoreDesignBench (batch 100, backend CPU per event for claim
-- and outcome): 30-35 us before, 22-30 us in this shape.

CREATE TABLE whiskfeed.pending (
  feed_id         bigint      NOT NULL,
  seq             bigint      NOT NULL,
  id              uuid        NOT NULL,
  created_at      timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  PRIMARY KEY (feed_id, seq)                                       -- ordered claims, per-feed heads
) WITH (fillfactor = 70);
-- Unordered claims: due events of the deliverable feeds in due order (see events migration V3).
CREATE INDEX pending_claim ON whiskfeed.pending (next_attempt_at, feed_id);

INSERT INTO whiskfeed.pending (feed_id, seq, id, created_at, next_attempt_at)
SELECT feed_id, seq, id, created_at, next_attempt_at FROM whiskfeed.events WHERE state = 'pending';

-- Every writer of events (capture triggers, the WAL capture's batches, webhooks, alarms, backfills)
-- fills the pending set in the same statement: one statement-level trigger over the rows inserted.
CREATE FUNCTION whiskfeed.pending_after_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO whiskfeed.pending (feed_id, seq, id, created_at, next_attempt_at)
  SELECT n.feed_id, n.seq, n.id, n.created_at, n.next_attempt_at FROM new_events n WHERE n.state = 'pending';
  RETURN NULL;
END
$$;
CREATE TRIGGER events_pending_set AFTER INSERT ON whiskfeed.events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION whiskfeed.pending_after_insert();

-- An event deleted while pending (a deleted feed's backlog, by hand) leaves the pending set with it;
-- deleting delivered or dead events (retention) costs a look at the deleted rows' state only.
CREATE FUNCTION whiskfeed.pending_after_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM whiskfeed.pending p USING old_events o
  WHERE o.state = 'pending' AND p.feed_id = o.feed_id AND p.seq = o.seq;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_pending_unset AFTER DELETE ON whiskfeed.events
  REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT EXECUTE FUNCTION whiskfeed.pending_after_delete();
CREATE FUNCTION whiskfeed.pending_after_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  TRUNCATE whiskfeed.pending;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_pending_truncate AFTER TRUNCATE ON whiskfeed.events
  FOR EACH STATEMENT EXECUTE FUNCTION whiskfeed.pending_after_truncate();

-- The events table keeps its key, (feed_id, seq) for listings and counts, and creation order for
-- retention; state, due time and delivered_at are in no index any more.
DROP INDEX whiskfeed.events_claim;
DROP INDEX whiskfeed.events_pending;
DROP INDEX whiskfeed.events_done;
CREATE INDEX events_created ON whiskfeed.events (created_at);
ALTER TABLE whiskfeed.events DROP COLUMN locked_by, DROP COLUMN locked_until;

CREATE UNLOGGED TABLE whiskfeed.leases (
  holder text        PRIMARY KEY,
  until  timestamptz NOT NULL
);
CREATE UNLOGGED TABLE whiskfeed.claims (
  id     bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  holder text          NOT NULL,
  made_at timestamptz  NOT NULL DEFAULT now(),
  ids    uuid[]        NOT NULL,
  dues   timestamptz[] NOT NULL
);
CREATE INDEX claims_holder ON whiskfeed.claims (holder);

-- The events held right now: by whom, until when, and the due time their claim saw.
CREATE VIEW whiskfeed.held AS
  SELECT h.id, h.due, c.holder, l.until, c.id AS claim
  FROM whiskfeed.leases l
  JOIN whiskfeed.claims c ON c.holder = l.holder
  CROSS JOIN LATERAL unnest(c.ids, c.dues) AS h(id, due)
  WHERE l.until > now();

-- A claim, by one claimer of this store at a time across all instances (an advisory lock for the
-- transaction). In a function every statement takes a new snapshot, so after the lock each sees the
-- claims committed before it, and no event is taken twice. The claim renews the holder's lease,
-- ends the leases that ran out (their events are taken over, with the previous holder reported),
-- and records what it took as one row. p_counts NULL: the first p_n due events of p_feeds in due
-- order, from p_floor or the last p_window_ms, whichever is earlier (both NULL: all); otherwise,
-- per feed of p_feeds, the due prefix of its first p_counts pending events in seq order (ordered
-- feeds: a held or retrying head holds back its own feed's later events). The held test is one
-- hashed NOT IN, so the unordered claim still walks pending_claim in due order from its floor.
-- A claim that finds nothing due (from the same floor) returns at once, before the lock: a quiet
-- store is claimed from several times per event (the doorbell's looks), and the lock, the lease and
-- the clean-up cost more than the look. Only the provider calls it, on its own connections, and
-- every name in it is qualified, so it runs without a search_path of its own (which costs a
-- setting saved and restored per call).
CREATE FUNCTION whiskfeed.claim(p_holder text, p_lease_ms bigint, p_feeds bigint[], p_n int,
                                p_floor timestamptz, p_window_ms bigint, p_counts int[])
RETURNS TABLE (id uuid, seq bigint, feed_id bigint, op text, p_table text, p_data text, created_at timestamptz,
               attempts int, throttled int, prev text, due_at timestamptz, claim bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ids uuid[];
  v_dues timestamptz[];
  v_prev text[];
BEGIN
  IF NOT EXISTS (
      SELECT 1 FROM whiskfeed.pending x
      WHERE x.next_attempt_at <= pg_catalog.now() AND x.feed_id = ANY(p_feeds)
        AND (p_counts IS NOT NULL OR x.next_attempt_at >= COALESCE(
              LEAST(p_floor, pg_catalog.now() - p_window_ms * interval '1 millisecond'), '-infinity'))) THEN
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
        AND (x.id, x.next_attempt_at) NOT IN (SELECT h.id, h.due FROM whiskfeed.held h)
      ORDER BY x.next_attempt_at LIMIT p_n
    ), ins AS (
      INSERT INTO whiskfeed.claims (holder, ids, dues)
      SELECT p_holder, array_agg(c.id), array_agg(c.next_attempt_at) FROM c HAVING count(*) > 0
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
      INSERT INTO whiskfeed.claims (holder, ids, dues)
      SELECT p_holder, array_agg(c.id), array_agg(c.next_attempt_at) FROM c WHERE c.ok HAVING count(*) > 0
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
