-- The tables that WAL-captured changes feeds read, per source database: which feeds read each one,
-- and the REPLICA IDENTITY it had before whiskfeed set it to FULL (restored when its last feed goes).
-- A source with no row here needs no replication slot or publication.
CREATE TABLE whiskfeed.wal_tables (
  source            text     NOT NULL,  -- the source database's store name (control, source:<name>, db:<digest>)
  table_oid         bigint   NOT NULL,  -- pg_class oid in the source database: found again after a rename
  schema_name       text     NOT NULL,  -- for people reading this table; the oid is what counts
  table_name        text     NOT NULL,
  feeds             bigint[] NOT NULL,  -- whiskfeed.feeds ids
  previous_identity text     NOT NULL,  -- DEFAULT, NOTHING, FULL or USING INDEX <name>
  PRIMARY KEY (source, table_oid)
);
