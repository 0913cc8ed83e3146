package dev.whiskfeed.capture.wal;

import dev.whiskfeed.capture.Sql;

/**
 * The SQL of WAL capture on a source database, kept to what Postgres needs: one publication (the
 * tables whose changes the slot decodes) and one logical replication slot per database, plus
 * {@code REPLICA IDENTITY FULL} on a captured table so an UPDATE or DELETE carries the whole old
 * row. Nothing else is written there. Tables are named by oid ({@code regclass} prints a quoted,
 * qualified name), so a renamed table is still found.
 */
public final class WalDdl {
  /** The publication of every source database whiskfeed reads. */
  public static final String PUBLICATION = "whiskfeed";

  private WalDdl() {}

  /** The slot of the current database: {@code whiskfeed_<database oid>}, unique in the cluster (slots are cluster-wide). */
  public static final String SLOT_NAME =
      "SELECT 'whiskfeed_' || d.oid::text AS slot FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()";

  /**
   * What WAL capture needs of the source: {@code wal_level = logical}, a role that may replicate, Postgres 14+.
   * {@code max_slots} and {@code free_slots}: a new slot needs a free one.
   */
  public static final String SUPPORT = """
      SELECT pg_catalog.current_setting('wal_level') AS wal_level,
             (SELECT r.rolreplication OR r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) AS may_replicate,
             current_user::text AS role,
             pg_catalog.current_setting('server_version_num')::int AS version,
             pg_catalog.current_setting('max_replication_slots')::int AS max_slots,
             (SELECT count(*) FROM pg_catalog.pg_replication_slots)::int AS used_slots""";

  /**
   * The column types of the tables {@code $1} (their quoted, qualified names) that WAL capture cannot
   * print as {@code to_jsonb} does, by table: a user type with a cast to json or jsonb
   * ({@code to_jsonb} calls the cast, whose result the type's text does not tell), and
   * int2vector/oidvector, found through domains, arrays and composite types. A table with none has
   * no row.
   */
  public static final String UNPRINTABLE_TYPES = """
      WITH RECURSIVE t(tbl, oid) AS (
        SELECT q.tbl, a.atttypid FROM pg_catalog.unnest($1::text[]) AS q(tbl)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = pg_catalog.to_regclass(q.tbl) AND a.attnum > 0 AND NOT a.attisdropped
        UNION
        SELECT t.tbl, n.next FROM t JOIN pg_catalog.pg_type y ON y.oid = t.oid
        CROSS JOIN LATERAL (
          SELECT NULLIF(y.typbasetype, 0)
          UNION ALL SELECT CASE WHEN y.typlen = -1 THEN NULLIF(y.typelem, 0) END
          UNION ALL SELECT a2.atttypid FROM pg_catalog.pg_attribute a2
                    WHERE y.typrelid <> 0 AND a2.attrelid = y.typrelid AND a2.attnum > 0 AND NOT a2.attisdropped) n(next)
        WHERE n.next IS NOT NULL)
      SELECT t.tbl, pg_catalog.format_type(t.oid, NULL) AS type FROM t
      WHERE t.oid IN (22, 30)
         OR (t.oid >= 16384 AND EXISTS (SELECT 1 FROM pg_catalog.pg_cast c
                                         WHERE c.castsource = t.oid AND c.casttarget IN (114, 3802)))
      ORDER BY 1, 2""";

  /** Created before the slot: pgoutput looks the publication up as of each change it decodes. */
  public static final String CREATE_PUBLICATION = """
      DO $pub$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = 'whiskfeed') THEN
          CREATE PUBLICATION whiskfeed WITH (publish = 'insert, update, delete, truncate', publish_via_partition_root = true);
        END IF;
      END
      $pub$""";

  public static final String SLOT_EXISTS = "SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1";

  /** Waits for the transactions open at this moment (Postgres needs them done to start decoding): bounded by the caller. */
  public static final String CREATE_SLOT = "SELECT pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput')";

  /**
   * Postgres 17 and newer: a failover slot, which standbys running {@code sync_replication_slots}
   * keep in step, so capture survives a failover to one of them.
   */
  public static final String CREATE_FAILOVER_SLOT =
      "SELECT pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput', false, false, true)";

  public static final String VERSION = "SELECT pg_catalog.current_setting('server_version_num')::int AS version";

  /** The table ({@code $1}: its quoted, qualified name): oid, replica identity as the clause that restores it, whether it is published. */
  public static final String IDENTITY = """
      SELECT c.oid::bigint AS oid,
             CASE c.relreplident WHEN 'd' THEN 'DEFAULT' WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL'
               ELSE 'USING INDEX ' || COALESCE((SELECT pg_catalog.quote_ident(i.relname)
                                                FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
                                                WHERE x.indrelid = c.oid AND x.indisreplident), 'DEFAULT') END AS identity,
             EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
                     WHERE p.pubname = 'whiskfeed' AND pr.prrelid = c.oid) AS published
      FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)""";

  /** Adds the table to the publication and makes its old rows whole. */
  public static String capture(long tableOid, boolean published, String identity) {
    StringBuilder b = new StringBuilder("DO $cap$\nBEGIN\n");
    if (!published) b.append("  EXECUTE 'ALTER PUBLICATION whiskfeed ADD TABLE ' || ").append(tableOid).append("::oid::regclass::text;\n");
    if (!identity.equals("FULL")) {
      b.append("  EXECUTE 'ALTER TABLE ' || ").append(tableOid).append("::oid::regclass::text || ' REPLICA IDENTITY FULL';\n");
    }
    return b.append("END\n$cap$").toString();
  }

  /**
   * Takes the table out of the publication and gives it back its replica identity, if it still
   * exists ({@code previousIdentity} comes from whiskfeed's own table, never from a request).
   */
  public static String release(long tableOid, String previousIdentity) {
    if (!previousIdentity.matches("DEFAULT|NOTHING|FULL|USING INDEX .+")) {
      throw new IllegalArgumentException("not a replica identity: " + previousIdentity);
    }
    return """
        DO $rel$
        DECLARE t regclass;
        BEGIN
          SELECT c.oid::regclass INTO t FROM pg_catalog.pg_class c WHERE c.oid = %d::oid;
          IF t IS NULL THEN RETURN; END IF;
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
                     WHERE p.pubname = 'whiskfeed' AND pr.prrelid = t) THEN
            EXECUTE 'ALTER PUBLICATION whiskfeed DROP TABLE ' || t::text;
          END IF;
          EXECUTE 'ALTER TABLE ' || t::text || ' REPLICA IDENTITY ' || %s;
        END
        $rel$""".formatted(tableOid, Sql.literal(previousIdentity));
  }

  /**
   * A mark in the source's WAL, written after a lifecycle change of a WAL feed committed: every
   * change committed after it is decoded after the mark, so the reader that meets it reads the
   * feeds again first, on whatever instance it runs. Non-transactional: decoded where it stands.
   */
  public static final String FEEDS_CHANGED = "SELECT pg_catalog.pg_logical_emit_message(false, 'whiskfeed', 'feeds')";
  public static final String MESSAGE_PREFIX = "whiskfeed";

  /** Ends whatever consumes the slot (a standby instance's walsender), so it can be dropped. */
  public static final String RELEASE_SLOT = """
      SELECT pg_catalog.pg_terminate_backend(s.active_pid) FROM pg_catalog.pg_replication_slots s
      WHERE s.slot_name = $1 AND s.active_pid IS NOT NULL""";

  public static final String DROP_SLOT = """
      SELECT pg_catalog.pg_drop_replication_slot(s.slot_name) FROM pg_catalog.pg_replication_slots s
      WHERE s.slot_name = $1 AND NOT s.active""";

  public static final String DROP_PUBLICATION = "DROP PUBLICATION IF EXISTS whiskfeed";

  /** The slot as /health and the metrics show it: who holds it, how much WAL it keeps, whether Postgres gave it up. */
  public static final String SLOT_STATE = """
      SELECT s.active, s.wal_status,
             (SELECT r.application_name FROM pg_catalog.pg_stat_replication r WHERE r.pid = s.active_pid) AS holder,
             pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.restart_lsn)::bigint AS retained_bytes,
             pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint AS unconfirmed_bytes
      FROM pg_catalog.pg_replication_slots s
      WHERE s.slot_name = (SELECT 'whiskfeed_' || d.oid::text FROM pg_catalog.pg_database d
                           WHERE d.datname = pg_catalog.current_database())""";
}
