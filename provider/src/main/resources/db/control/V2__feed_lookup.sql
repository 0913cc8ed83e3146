-- Feed listings by namespace (admin API paging) and the registry's reload by id need nothing new;
-- counting a feed's events by state in READ does: (feed_id, state) serves it from the index.
CREATE INDEX IF NOT EXISTS feeds_namespace ON whiskfeed.feeds (namespace, trigger);
