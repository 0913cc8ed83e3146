-- The event table of one event store. The same DDL is installed in the control database and in
-- every source database of a changes feed (the event row must be written in the writer's own
-- transaction, so it lives next to the captured table).
CREATE SCHEMA IF NOT EXISTS whiskfeed;

CREATE TABLE whiskfeed.events (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),  -- never changes across retries
  seq             bigint      GENERATED ALWAYS AS IDENTITY,            -- order of ordered feeds
  feed_id         bigint      NOT NULL,                                -- whiskfeed.feeds.id of the control database
  op              text        NOT NULL,                                -- INSERT UPDATE DELETE TRUNCATE MANUAL WEBHOOK ALARM
  payload         jsonb       NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        integer     NOT NULL DEFAULT 0,
  throttled       integer     NOT NULL DEFAULT 0,                      -- attempts answered 429
  -- A lease moves next_attempt_at to locked_until, so "claimable" is one range condition.
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  locked_by       text,
  locked_until    timestamptz,
  last_status     integer,
  last_error      text,
  activation_id   text,
  delivered_at    timestamptz
);

-- Claiming reads only pending rows: the partial index stays the size of the backlog, however many
-- delivered rows the table holds.
CREATE INDEX events_claim ON whiskfeed.events (next_attempt_at) WHERE state = 'pending';
-- Head of an ordered feed, per-feed listings and counts.
CREATE INDEX events_feed ON whiskfeed.events (feed_id, seq);
-- Retention scans delivered and dead rows by age.
CREATE INDEX events_done ON whiskfeed.events (delivered_at) WHERE state <> 'pending';

-- The doorbell: capture triggers NOTIFY only when the consumer has armed it (it was idle), so a
-- busy store costs writers no NOTIFY at all (NOTIFY serializes commits cluster-wide).
CREATE UNLOGGED TABLE whiskfeed.doorbell (
  id    boolean PRIMARY KEY DEFAULT true CHECK (id),
  armed boolean NOT NULL DEFAULT true
);
INSERT INTO whiskfeed.doorbell DEFAULT VALUES;
