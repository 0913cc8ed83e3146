-- The end of an alarm schedule waits for its last fire: final_event is the event of the schedule's
-- last instant (a once-feed's only one, or the last before stopDate). When it is no longer pending
-- the scheduler applies the end action (disable, or delete the trigger and feed for
-- deleteAfterFire) and clears it. locked_by/locked_until (V1) lease that end action while the
-- OpenWhisk calls of a deletion are in flight.
ALTER TABLE whiskfeed.alarm_schedules ADD COLUMN final_event uuid;
CREATE INDEX alarm_schedules_ending ON whiskfeed.alarm_schedules (feed_id) WHERE final_event IS NOT NULL;
