-- When a disabled changes feed's capture stopped (its backlog went over WHISKFEED_MAX_PENDING_PER_FEED,
-- or it stayed disabled for WHISKFEED_DISABLED_CAPTURE_HOURS); null while it captures. Re-enabling
-- the feed clears it and installs its capture again.
ALTER TABLE whiskfeed.feeds ADD COLUMN capture_stopped_at timestamptz;

-- Feeds disabled for their backlog before this column existed have stopped capturing already.
UPDATE whiskfeed.feeds SET capture_stopped_at = date_changed
WHERE state = 'disabled' AND kind = 'changes' AND reason->>'kind' = 'AUTO'
  AND reason->>'message' LIKE 'backlog over %';
