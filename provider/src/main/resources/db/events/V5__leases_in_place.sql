-- A lease no longer moves next_attempt_at: it writes only locked_by and locked_until, which no index
-- holds, so Postgres can write the leased row as a heap-only tuple (HOT) on the same page, with no
-- entry in any of the four indexes (before: a new entry in each). A claim skips leased rows by
-- their locked_until. A HOT update needs room on the row's page: a claim leases runs of rows
-- inserted together, so every row of a page needs a second version at once. fillfactor leaves that
-- room on pages filled by inserts (existing pages keep theirs until they are rewritten).
ALTER TABLE whiskfeed.events SET (fillfactor = 50);
