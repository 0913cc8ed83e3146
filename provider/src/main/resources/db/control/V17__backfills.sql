-- Backfills of changes feeds: one row per feed, its latest run. A run emits one BACKFILL event per
-- existing row of the feed's table, in primary-key chunks; last_key is the primary key of the last
-- row of the last finished chunk (as text, one element per key column), so a run resumes after a
-- crash or restart from there. Each event's id is derived from (feed, run, row key) and stored with
-- ON CONFLICT DO NOTHING, so a chunk run again after a crash makes no second event even when the
-- event store is another database. One instance at a time runs a backfill: locked_by/locked_until
-- lease the row, renewed after every chunk. Deleting the feed deletes its backfill, which stops it.
CREATE TABLE whiskfeed.backfills (
  feed_id      bigint      PRIMARY KEY REFERENCES whiskfeed.feeds (id) ON DELETE CASCADE,
  run          integer     NOT NULL,               -- 1, 2, … : a new POST …/backfill starts the next run
  state        text        NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  filter       text,                               -- SQL predicate over the row alias r, or null (all rows)
  last_key     text[],                             -- null: no chunk finished yet
  rows         bigint      NOT NULL DEFAULT 0,     -- BACKFILL events emitted (rows of finished chunks)
  total        bigint,                             -- rows counted (or estimated) at start
  error        text,
  started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at  timestamptz,
  locked_by    text,
  locked_until timestamptz
);
CREATE INDEX backfills_running ON whiskfeed.backfills (locked_until) WHERE state = 'running';
