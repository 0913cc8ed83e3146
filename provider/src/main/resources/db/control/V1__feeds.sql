-- The control schema: feeds, their encrypted credentials and status, alarm schedules and the
-- delivery log. Events live in whiskfeed.events (db/events), installed beside it.
CREATE SCHEMA IF NOT EXISTS whiskfeed;

CREATE TABLE whiskfeed.feeds (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  namespace     text        NOT NULL,
  trigger       text        NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('changes', 'webhook', 'alarm')),
  config        jsonb       NOT NULL,               -- effective parameters, no secrets
  secrets       jsonb       NOT NULL DEFAULT '{}',  -- values sealed with the master key
  auth_key      text        NOT NULL,               -- sealed with the master key (AES-GCM)
  state         text        NOT NULL CHECK (state IN ('active', 'paused', 'disabled')),
  reason        jsonb,
  date_changed  timestamptz NOT NULL DEFAULT clock_timestamp(),
  fires         bigint      NOT NULL DEFAULT 0,     -- counted in the database: maxTriggers survives restarts
  last_fire_at  timestamptz,
  hook_token    text        UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  version       bigint      NOT NULL DEFAULT 1,
  UNIQUE (namespace, trigger)
);
CREATE INDEX feeds_state ON whiskfeed.feeds (state, kind);

-- One row per fire attempt.
CREATE TABLE whiskfeed.delivery_log (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  feed_id        bigint      NOT NULL,
  event_ids      uuid[]      NOT NULL,
  attempted_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  status_code    integer,
  latency_ms     integer     NOT NULL,
  error          text,
  activation_id  text
);
CREATE INDEX delivery_log_time ON whiskfeed.delivery_log (attempted_at);
CREATE INDEX delivery_log_feed ON whiskfeed.delivery_log (feed_id, attempted_at);

-- Alarm schedules: the next instant of each alarm feed lives here; instances claim due rows with
-- SKIP LOCKED in the transaction that writes the event, so one instant fires once.
CREATE TABLE whiskfeed.alarm_schedules (
  feed_id     bigint      PRIMARY KEY REFERENCES whiskfeed.feeds (id) ON DELETE CASCADE,
  next_fire   timestamptz,              -- null: no instant left
  locked_by   text,
  locked_until timestamptz
);
CREATE INDEX alarm_schedules_due ON whiskfeed.alarm_schedules (next_fire) WHERE next_fire IS NOT NULL;

-- Cluster-wide jobs (retention) claimed by one instance at a time.
CREATE TABLE whiskfeed.jobs (
  name         text PRIMARY KEY,
  locked_by    text,
  locked_until timestamptz,
  last_run_at  timestamptz
);
