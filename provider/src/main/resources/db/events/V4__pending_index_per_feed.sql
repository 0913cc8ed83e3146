-- An ordered feed's claim takes the first pending events of the feed in seq order. Through
-- events_feed (feed_id, seq) it read every delivered row of the feed on the way to the first
-- pending one: 73 ms per claim behind 200k delivered rows, and the default retention keeps a week.
-- This index holds pending rows only, so the claim (and discarding or pulling forward a feed's
-- pending events) reads just the rows it takes. Built over pending rows only, like events_claim.
CREATE INDEX events_pending ON whiskfeed.events (feed_id, seq) WHERE state = 'pending';
