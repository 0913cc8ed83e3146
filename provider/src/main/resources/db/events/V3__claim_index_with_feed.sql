-- The claim reads due events of the deliverable feeds in due order: `next_attempt_at <= now() AND
-- feed_id = ANY(...) ORDER BY next_attempt_at LIMIT n`. With feed_id in the pending index as well,
-- both conditions are checked inside the index (Postgres 17 keeps the due order), so a claim reads
-- only the rows it takes, and skips the events of paused or disabled feeds without visiting them.
-- Before, when one feed's backlog was most of its rows, the planner read the whole backlog through
-- events_feed and sorted it on every claim (20k pending events: 54 ms against 7 ms per claim).
DROP INDEX whiskfeed.events_claim;
CREATE INDEX events_claim ON whiskfeed.events (next_attempt_at, feed_id) WHERE state = 'pending';
