-- Delivery core v2 (issue 19), the next step after V6: an event delivered in a fire of several
-- writes nothing of its own.
--
-- Its outcome deletes its pending row, and the fire that delivered it appends one row to
-- whiskfeed.fired (the feed, the seqs it carried, when, OpenWhisk's status and activation id): one
-- row per fire, not per event. The events row keeps what it had (state 'pending', the failed
-- attempts so far). A fire of one event writes that event's row instead, as before (a heap-only
-- update costs less than a row and an index entry), but leaves its state 'pending': a state
-- written would be a column of events_dead's predicate changed, and no update heap-only. What an
-- event is now follows from where it is:
--   pending    it has a pending row;
--   dead       its row says 'dead' (a dead outcome still writes the events row, as do retries);
--   delivered  otherwise; when and by which activation is in its row (delivered_at set) or in the
--              newest fire of its feed that carried its seq at or after the events row's
--              next_attempt_at (an outcome that is not a delivery writes the time it was written
--              there, and a redelivery its own start, so an older fire of a redelivered event is
--              not read as its delivery).
-- Rows delivered before this migration keep state 'delivered' and their delivered_at.
-- whiskfeed.event_status shows every event so: the readers (listings, READ, admin, alarms,
-- retention) read it instead of the bare table.
--
-- Measured outside the provider by StoreDesignBench (batch 100, backend CPU per event for claim
-- and outcome): 25-31 us in V6's shape, 17-20 us with one history row per fire, 18-26 us with one
-- per event.

CREATE TABLE whiskfeed.fired (
  feed_id       bigint      NOT NULL,
  first_seq     bigint      NOT NULL,                               -- the smallest of seqs
  seqs          bigint[]    NOT NULL,
  at            timestamptz NOT NULL,
  status_code   integer,
  activation_id text
);
-- An event's fire: the feed's fires from its seq downwards (a fire carries one feed's events,
-- mostly a run of seqs; the first row that carries the seq is its newest delivery).
CREATE INDEX fired_feed ON whiskfeed.fired (feed_id, first_seq);
-- Retention drops fires by age.
CREATE INDEX fired_at ON whiskfeed.fired (at);

-- READ's dead count, without reading the feed's history. A delivery no longer writes state, and a
-- retry writes it unchanged, so this index costs neither a heap-only update.
CREATE INDEX events_dead ON whiskfeed.events (feed_id) WHERE state = 'dead';

-- by_fire: delivered in a fire of several (no pending row, not dead, nothing written to its row)
CREATE VIEW whiskfeed.event_status AS
  SELECT e.id, e.seq, e.feed_id, e.op, e.payload, e.created_at,
         CASE WHEN p.seq IS NOT NULL THEN 'pending' WHEN e.state = 'dead' THEN 'dead' ELSE 'delivered' END AS state,
         e.attempts + CASE WHEN b.by_fire THEN 1 ELSE 0 END AS attempts,
         e.throttled,
         COALESCE(p.next_attempt_at, e.next_attempt_at) AS next_attempt_at,
         h.holder AS locked_by, h.until AS locked_until,
         CASE WHEN b.by_fire THEN f.status_code ELSE e.last_status END AS last_status,
         CASE WHEN b.by_fire THEN NULL ELSE e.last_error END AS last_error,
         CASE WHEN b.by_fire THEN f.activation_id ELSE e.activation_id END AS activation_id,
         CASE WHEN b.by_fire THEN f.at ELSE e.delivered_at END AS delivered_at
  FROM whiskfeed.events e
  LEFT JOIN whiskfeed.pending p ON p.feed_id = e.feed_id AND p.seq = e.seq
  LEFT JOIN whiskfeed.held h ON h.id = p.id AND h.due = p.next_attempt_at
  CROSS JOIN LATERAL (SELECT p.seq IS NULL AND e.state = 'pending' AND e.delivered_at IS NULL AS by_fire) b
  LEFT JOIN LATERAL (
    SELECT x.at, x.status_code, x.activation_id FROM whiskfeed.fired x
    WHERE b.by_fire AND x.feed_id = e.feed_id AND x.first_seq <= e.seq AND e.seq = ANY (x.seqs)
      AND x.at >= e.next_attempt_at
    ORDER BY x.first_seq DESC LIMIT 1) f ON true;
