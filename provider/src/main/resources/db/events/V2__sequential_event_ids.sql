-- Event ids stay uuids (the envelope's "id", stable across retries) but are no longer random: a
-- random prefix drawn once per event store, then a counter. Each insert then lands at the right
-- edge of the primary-key index instead of on a random page, which halves the cost of writing a
-- large statement's events (100k rows: 2.7 s -> 1.3 s measured on a 2-core machine). The prefix
-- keeps ids of different stores apart, so receivers can still deduplicate by id alone.
CREATE SEQUENCE whiskfeed.event_ids;

DO $ids$
BEGIN
  EXECUTE pg_catalog.format(
    'ALTER TABLE whiskfeed.events ALTER COLUMN id SET DEFAULT '
    '(%L || pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.nextval(%L::pg_catalog.regclass)), 16, %L))::uuid',
    pg_catalog.substr(pg_catalog.md5(pg_catalog.gen_random_uuid()::text), 1, 16), 'whiskfeed.event_ids', '0');
END
$ids$;
