-- The provider instances alive lately: each upserts its row every few seconds and counts the rows
-- seen within the last fifteen; a fixed fire pace (WHISKFEED_FIRES_PER_MINUTE) is divided among
-- them, so two instances do not make 120 fires a minute out of a pace of 60. Unlogged: after a
-- crash of the database the table is empty, and the next heartbeats fill it again.
CREATE UNLOGGED TABLE whiskfeed.instances (
  holder  text PRIMARY KEY,
  seen_at timestamptz NOT NULL
);
