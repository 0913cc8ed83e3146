-- READ's stats count a feed's events per state; listing a feed's events filters by state.
CREATE INDEX events_feed_state ON whiskfeed.events (feed_id, state, seq);
