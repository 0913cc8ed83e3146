package dev.whiskfeed.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the event store's shape costs Postgres per delivered event, outside the provider: the same
 * backlog written, then claimed and acknowledged in batches by one connection, as fast as it goes,
 * for fourteen shapes of the store (issue 19, item 1), alternating per round:
 * <ul>
 *   <li>{@code today}: the store before events migration V6, one events table; a lease writes the
 *       row in place (heap-only), an outcome
 *       writes a new row version with new entries in three indexes (events migrations V1–V5);
 *   <li>{@code pending+outcome}: a narrow pending table holds due time and lease (and the claim
 *       indexes); an outcome deletes the pending row and writes the events row heap-only;
 *   <li>{@code pending, delete}: the same, but a delivered event's outcome only deletes its pending
 *       row (delivered = no pending row; nothing written to the events row);
 *   <li>{@code no lease write}: the same, and the claim writes nothing per event (a lease recorded
 *       per claim, not per event; here not recorded at all, the floor of the shape);
 *   <li>{@code lease per claim}: today's events table, with a lease recorded per claim (one row in an
 *       unlogged table listing the ids and their due times, taken under a claim lock) instead of per event;
 *   <li>{@code pending+outcome, lease per claim} and {@code pending, lease per claim}: the pending
 *       table's two acknowledgements with the lease per claim (the first is the store since events
 *       migration V6);
 *   <li>{@code pending, lease per claim, history per event} and {@code … per fire}: delivered = pending
 *       row deleted, with a history row per event or per fire (the second is the store since V7);
 *   <li>{@code fire, jsonb from text}, {@code fire, json from text}, {@code fire, table + json data}: the
 *       V7 shape with the payload written from JSON text (as WAL capture writes it) into a jsonb column,
 *       a json column, or a text column for the table and a json one for the data;
 *   <li>{@code log, ticks} and {@code log, ticks, no age index}: no pending set, PgQ-style: the events
 *       are a log read in ticks of transaction snapshots (late committers fall into a later tick), a
 *       claim records its range as one row, an outcome moves one durable cursor and appends a row per
 *       fire; the second without the index on creation time (retention by time partitions). Only the
 *       happy path: events of feeds a claim leaves out, retries and dead letters would need rows of
 *       their own, which a full design must add.
 * </ul>
 * Each shape must deliver every event of the backlog exactly once in count, or the run fails.
 * Figures: the backend's CPU per row written, and per event claimed and acknowledged (read from
 * /proc), with the wall time of the claims and the acknowledgements. Claims read from a floor (the
 * oldest event the last claim took), as the provider's do. Asserts nothing. Run:
 * {@code mvn -B -q -pl provider -am verify -Pbench -Dit.test=StoreDesignBench -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 * ({@code -Dbench.rows=100000 -Dbench.batch=100 -Dbench.rounds=3}).
 */
class StoreDesignBench {
  static final int ROWS = Integer.getInteger("bench.rows", 100_000);
  static final int BATCH = Integer.getInteger("bench.batch", 100);
  static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

  private static final String EVENTS = """
      CREATE SCHEMA w;
      CREATE SEQUENCE w.ids;
      CREATE TABLE w.events (
        id uuid PRIMARY KEY DEFAULT ('00000000000000ab' || lpad(to_hex(nextval('w.ids')), 16, '0'))::uuid,
        seq bigint GENERATED ALWAYS AS IDENTITY, feed_id bigint NOT NULL, op text NOT NULL, payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        state text NOT NULL DEFAULT 'pending', attempts int NOT NULL DEFAULT 0, throttled int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(), locked_by text, locked_until timestamptz,
        last_status int, last_error text, activation_id text, delivered_at timestamptz) WITH (fillfactor = 50);
      CREATE INDEX events_feed ON w.events (feed_id, seq);
      """;
  private static final String TODAY_INDEXES = """
      CREATE INDEX events_claim ON w.events (next_attempt_at, feed_id) WHERE state = 'pending';
      CREATE INDEX events_done ON w.events (delivered_at) WHERE state <> 'pending';
      CREATE INDEX events_pending ON w.events (feed_id, seq) WHERE state = 'pending';
      """;
  private static final String PENDING_TABLE = """
      CREATE INDEX events_created ON w.events (created_at);
      CREATE TABLE w.pending (feed_id bigint NOT NULL, seq bigint NOT NULL, id uuid NOT NULL,
        next_attempt_at timestamptz NOT NULL, locked_by text, locked_until timestamptz,
        PRIMARY KEY (feed_id, seq)) WITH (fillfactor = 50);
      CREATE INDEX pending_claim ON w.pending (next_attempt_at, feed_id);
      """;
  private static final String ASYNC = " AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'";
  private static final String COLUMNS = " e.id, e.seq, e.feed_id, e.op, (e.payload -> 'table')::text,"
      + " (e.payload -> 'data')::text, e.created_at, e.attempts";
  private static final String PAYLOAD = "jsonb_build_object('table', 'public.orders', 'data', jsonb_build_object("
      + "'new', jsonb_build_object('id', g, 'customer', 'customer ' || g, 'total', g * 1.5, 'note', repeat('x', 120)),"
      + " 'old', null))";
  private static final String INSERT = "INSERT INTO w.events (feed_id, op, payload) SELECT 1 + g % 10, 'INSERT', "
      + PAYLOAD + " FROM generate_series(1, ?) g";

  /** One shape: its DDL, how it writes a statement's events, claims (holder, feeds, floor, limit) and acknowledges (ids, holder). */
  record Shape(String ddl, String insert, String claim, String ack) {}

  static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

  static {
    String todayClaim = "UPDATE w.events e SET locked_by = ?, locked_until = now() + interval '30 s' FROM ("
        + "SELECT id FROM w.events WHERE state = 'pending' AND next_attempt_at <= now() AND feed_id = ANY(?)"
        + " AND next_attempt_at >= ? AND (locked_until IS NULL OR locked_until <= now())"
        + " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED) c WHERE e.id = c.id" + ASYNC + " RETURNING" + COLUMNS;
    String todayAck = "UPDATE w.events e SET state = 'delivered', attempts = e.attempts + 1, locked_by = NULL,"
        + " locked_until = NULL, last_status = 202, activation_id = 'abcdef0123456789abcdef0123456789',"
        + " delivered_at = now() WHERE e.id = ANY(?) AND e.locked_by = ?" + ASYNC;
    SHAPES.put("today", new Shape(EVENTS + TODAY_INDEXES, INSERT, todayClaim, todayAck));

    String pendingInsert = "WITH e AS (" + INSERT + " RETURNING feed_id, seq, id, next_attempt_at)"
        + " INSERT INTO w.pending (feed_id, seq, id, next_attempt_at) SELECT * FROM e";
    String leaseClaim = "WITH c AS (UPDATE w.pending p SET locked_by = ?, locked_until = now() + interval '30 s' FROM ("
        + "SELECT feed_id, seq FROM w.pending WHERE next_attempt_at <= now() AND feed_id = ANY(?)"
        + " AND next_attempt_at >= ? AND (locked_until IS NULL OR locked_until <= now())"
        + " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED) c"
        + " WHERE p.feed_id = c.feed_id AND p.seq = c.seq" + ASYNC + " RETURNING p.id)"
        + " SELECT" + COLUMNS + " FROM c JOIN w.events e ON e.id = c.id";
    String outcomeAck = "WITH u AS (SELECT e.id, e.feed_id, e.seq FROM w.events e WHERE e.id = ANY(?)),"
        + " d AS (DELETE FROM w.pending p USING u WHERE p.feed_id = u.feed_id AND p.seq = u.seq AND p.locked_by = ?"
        + ASYNC + " RETURNING p.id)"
        + " UPDATE w.events e SET state = 'delivered', attempts = e.attempts + 1, last_status = 202,"
        + " activation_id = 'abcdef0123456789abcdef0123456789', delivered_at = now() FROM d WHERE e.id = d.id";
    SHAPES.put("pending+outcome", new Shape(EVENTS + PENDING_TABLE, pendingInsert, leaseClaim, outcomeAck));

    String deleteAck = "DELETE FROM w.pending p USING w.events e WHERE e.id = ANY(?) AND p.feed_id = e.feed_id"
        + " AND p.seq = e.seq AND p.locked_by = ?" + ASYNC;
    SHAPES.put("pending, delete", new Shape(EVENTS + PENDING_TABLE, pendingInsert, leaseClaim, deleteAck));

    String readClaim = "SELECT" + COLUMNS + " FROM (SELECT id FROM w.pending WHERE ? <> '' AND next_attempt_at <= now()"
        + " AND feed_id = ANY(?) AND next_attempt_at >= ? ORDER BY next_attempt_at LIMIT ?) c"
        + " JOIN w.events e ON e.id = c.id";
    String unleasedAck = "DELETE FROM w.pending p USING w.events e WHERE e.id = ANY(?) AND p.feed_id = e.feed_id"
        + " AND p.seq = e.seq AND ? <> ''" + ASYNC;
    SHAPES.put("no lease write", new Shape(EVENTS + PENDING_TABLE, pendingInsert, readClaim, unleasedAck));
  }

  // A lease recorded per claim: one row (holder, until when, the ids and when each was due) in an
  // unlogged table. An event is held while a live lease lists it with the due time it still has:
  // any outcome moves next_attempt_at, so a retried or released event is free again at once. The
  // test is one hashed NOT IN, so the claim still walks the pending index in due order. Claims take
  // the store's claim lock first, and each later statement of the function sees every claim before.
  private static final String LEASES = """
      CREATE UNLOGGED TABLE w.leases (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, holder text NOT NULL,
        until timestamptz NOT NULL, ids uuid[] NOT NULL, dues timestamptz[] NOT NULL);
      CREATE FUNCTION w.claim(p_holder text, p_feeds bigint[], p_floor timestamptz, p_n int)
      RETURNS TABLE (id uuid, seq bigint, feed_id bigint, op text, p_table text, p_data text, created_at timestamptz,
        attempts int, lease bigint) LANGUAGE plpgsql AS $f$
      BEGIN
        PERFORM pg_advisory_xact_lock(4242);
        DELETE FROM w.leases l WHERE l.until <= now();
        RETURN QUERY WITH c AS (
          SELECT x.id, x.next_attempt_at FROM %s x.next_attempt_at <= now() AND x.feed_id = ANY(p_feeds)
            AND x.next_attempt_at >= p_floor
            AND (x.id, x.next_attempt_at) NOT IN (SELECT h.id, h.due FROM w.leases l, unnest(l.ids, l.dues) h(id, due))
          ORDER BY x.next_attempt_at LIMIT p_n),
        ins AS (INSERT INTO w.leases (holder, until, ids, dues)
                SELECT p_holder, now() + interval '30 s', array_agg(c.id), array_agg(c.next_attempt_at) FROM c
                HAVING count(*) > 0 RETURNING w.leases.id)
        SELECT e.id, e.seq, e.feed_id, e.op, (e.payload -> 'table')::text, (e.payload -> 'data')::text, e.created_at,
               e.attempts, (SELECT ins.id FROM ins) FROM c JOIN w.events e ON e.id = c.id;
      END $f$;
      """;

  // The log: each event carries its transaction's id; w.ticks holds the range being read (the
  // snapshot of the last tick, the snapshot of this one, the cursor inside it) and w.done the
  // durable cursor an outcome moves. A claim reads the events of its range after the cursor in
  // (xid, seq) order through events_xid; when the range is read it starts the next one at the
  // current snapshot. The floor argument is unused (the cursor replaces it).
  private static final String LOG = """
      ALTER TABLE w.events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
      CREATE INDEX events_created ON w.events (created_at);
      CREATE INDEX events_xid ON w.events (xid, seq);
      CREATE TABLE w.done (id int PRIMARY KEY, xid xid8 NOT NULL, seq bigint NOT NULL);
      INSERT INTO w.done VALUES (1, '0', 0);
      CREATE UNLOGGED TABLE w.ticks (id int PRIMARY KEY, lo pg_snapshot NOT NULL, hi pg_snapshot NOT NULL,
        xid xid8 NOT NULL, seq bigint NOT NULL);
      INSERT INTO w.ticks VALUES (1, pg_current_snapshot(), pg_current_snapshot(), '0', 0);
      CREATE UNLOGGED TABLE w.claims (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, holder text NOT NULL,
        xid xid8 NOT NULL, seq bigint NOT NULL);
      CREATE TABLE w.fired (feed_id bigint NOT NULL, seqs bigint[] NOT NULL, at timestamptz NOT NULL,
        activation_id text);
      CREATE INDEX fired_feed ON w.fired (feed_id, at);
      CREATE FUNCTION w.claim(p_holder text, p_feeds bigint[], p_floor timestamptz, p_n int)
      RETURNS TABLE (id uuid, seq bigint, feed_id bigint, op text, p_table text, p_data text, created_at timestamptz,
        attempts int, lxid xid8) LANGUAGE plpgsql AS $f$
      #variable_conflict use_column
      DECLARE
        t w.ticks;
        n int;
      BEGIN
        PERFORM pg_advisory_xact_lock(4242);
        SELECT * INTO t FROM w.ticks k WHERE k.id = 1;
        FOR pass IN 1..2 LOOP
          RETURN QUERY WITH c AS (
              SELECT e.id, e.seq, e.feed_id, e.op, e.payload, e.created_at, e.attempts, e.xid FROM w.events e
              WHERE e.xid >= pg_snapshot_xmin(t.lo) AND e.xid < pg_snapshot_xmax(t.hi)
                AND (e.xid, e.seq) > (t.xid, t.seq)
                AND pg_visible_in_snapshot(e.xid, t.hi) AND NOT pg_visible_in_snapshot(e.xid, t.lo)
                AND e.feed_id = ANY(p_feeds)
              ORDER BY e.xid, e.seq LIMIT p_n),
            last AS (SELECT c.xid, c.seq FROM c ORDER BY c.xid DESC, c.seq DESC LIMIT 1),
            ins AS (INSERT INTO w.claims (holder, xid, seq) SELECT p_holder, last.xid, last.seq FROM last RETURNING 1),
            upd AS (UPDATE w.ticks k SET lo = t.lo, hi = t.hi, xid = last.xid, seq = last.seq FROM last
                    WHERE k.id = 1 RETURNING 1)
            SELECT c.id, c.seq, c.feed_id, c.op, (c.payload -> 'table')::text, (c.payload -> 'data')::text,
                   c.created_at, c.attempts, c.xid FROM c;
          GET DIAGNOSTICS n = ROW_COUNT;
          EXIT WHEN n > 0;
          IF pass = 2 THEN
            UPDATE w.ticks k SET lo = t.lo, hi = t.hi, xid = '0', seq = 0 WHERE k.id = 1;
            EXIT;
          END IF;
          t.lo := t.hi;
          t.hi := pg_current_snapshot();
          t.xid := '0';
          t.seq := 0;
        END LOOP;
      END $f$;
      """;
  private static final String LOG_CLAIM =
      "SELECT id, seq, feed_id, op, p_table, p_data, created_at, attempts FROM w.claim(?, ?, ?, ?)";
  private static final String LOG_ACK = "WITH u AS (SELECT ?::uuid[] AS ids),"
      + " c AS (DELETE FROM w.claims WHERE holder = ? RETURNING xid, seq),"
      + " d AS (UPDATE w.done SET xid = c.xid, seq = c.seq FROM c WHERE w.done.id = 1" + ASYNC + " RETURNING 1)"
      + " INSERT INTO w.fired SELECT e.feed_id, array_agg(e.seq), now(), 'abcdef0123456789abcdef0123456789'"
      + " FROM w.events e WHERE e.id = ANY((SELECT ids FROM u)::uuid[]) AND EXISTS (SELECT 1 FROM d) GROUP BY e.feed_id";

  static {
    String leaseClaim = "SELECT id, seq, feed_id, op, p_table, p_data, created_at, attempts FROM w.claim(?, ?, ?, ?)";
    String leaseAck = "WITH u AS (SELECT ?::uuid[] AS ids),"
        + " d AS (DELETE FROM w.leases WHERE holder = ? RETURNING id)"
        + " UPDATE w.events e SET state = 'delivered', attempts = e.attempts + 1, last_status = 202,"
        + " activation_id = 'abcdef0123456789abcdef0123456789', delivered_at = now()"
        + " WHERE e.id = ANY((SELECT ids FROM u)::uuid[]) AND e.state = 'pending' AND EXISTS (SELECT 1 FROM d)" + ASYNC;
    SHAPES.put("lease per claim", new Shape(EVENTS + TODAY_INDEXES
        + LEASES.formatted("w.events x WHERE x.state = 'pending' AND"), INSERT, leaseClaim, leaseAck));
    String pendingInsert = "WITH e AS (" + INSERT + " RETURNING feed_id, seq, id, next_attempt_at)"
        + " INSERT INTO w.pending (feed_id, seq, id, next_attempt_at) SELECT * FROM e";
    String deleteAck = "WITH u AS (SELECT ?::uuid[] AS ids),"
        + " d AS (DELETE FROM w.leases WHERE holder = ? RETURNING id)"
        + " DELETE FROM w.pending p USING w.events e WHERE e.id = ANY((SELECT ids FROM u)::uuid[]) AND p.feed_id = e.feed_id"
        + " AND p.seq = e.seq AND EXISTS (SELECT 1 FROM d)" + ASYNC;
    String outcomeAckLeased = "WITH u AS (SELECT ?::uuid[] AS ids),"
        + " d AS (DELETE FROM w.leases WHERE holder = ? RETURNING id),"
        + " p AS (DELETE FROM w.pending p USING w.events e WHERE e.id = ANY((SELECT ids FROM u)::uuid[])"
        + " AND p.feed_id = e.feed_id AND p.seq = e.seq AND EXISTS (SELECT 1 FROM d)" + ASYNC + " RETURNING p.id)"
        + " UPDATE w.events e SET state = 'delivered', attempts = e.attempts + 1, last_status = 202,"
        + " activation_id = 'abcdef0123456789abcdef0123456789', delivered_at = now() FROM p WHERE e.id = p.id";
    SHAPES.put("pending+outcome, lease per claim", new Shape(EVENTS + PENDING_TABLE
        + LEASES.formatted("w.pending x WHERE"), pendingInsert, leaseClaim, outcomeAckLeased));
    SHAPES.put("pending, lease per claim", new Shape(EVENTS + PENDING_TABLE
        + LEASES.formatted("w.pending x WHERE"), pendingInsert, leaseClaim, deleteAck));
    // delivered = pending row deleted, and what the events listing shows of it (when, which
    // activation) appended to a narrow history: one row per event, or one per fire (a fire's events
    // share their activation; here a fire is one feed's events of the acknowledgement)
    String historyDdl = "CREATE TABLE w.delivered (feed_id bigint NOT NULL, seq bigint NOT NULL,"
        + " at timestamptz NOT NULL, activation_id text, PRIMARY KEY (feed_id, seq));";
    String historyAck = "WITH u AS (SELECT ?::uuid[] AS ids),"
        + " d AS (DELETE FROM w.leases WHERE holder = ? RETURNING id),"
        + " p AS (DELETE FROM w.pending p USING w.events e WHERE e.id = ANY((SELECT ids FROM u)::uuid[])"
        + " AND p.feed_id = e.feed_id AND p.seq = e.seq AND EXISTS (SELECT 1 FROM d)" + ASYNC + " RETURNING p.feed_id, p.seq)"
        + " INSERT INTO w.delivered SELECT p.feed_id, p.seq, now(), 'abcdef0123456789abcdef0123456789' FROM p";
    SHAPES.put("pending, lease per claim, history per event", new Shape(EVENTS + PENDING_TABLE + historyDdl
        + LEASES.formatted("w.pending x WHERE"), pendingInsert, leaseClaim, historyAck));
    String firesDdl = "CREATE TABLE w.fired (feed_id bigint NOT NULL, seqs bigint[] NOT NULL,"
        + " at timestamptz NOT NULL, activation_id text); CREATE INDEX fired_feed ON w.fired (feed_id, at);";
    String firesAck = "WITH u AS (SELECT ?::uuid[] AS ids),"
        + " d AS (DELETE FROM w.leases WHERE holder = ? RETURNING id),"
        + " p AS (DELETE FROM w.pending p USING w.events e WHERE e.id = ANY((SELECT ids FROM u)::uuid[])"
        + " AND p.feed_id = e.feed_id AND p.seq = e.seq AND EXISTS (SELECT 1 FROM d)" + ASYNC + " RETURNING p.feed_id, p.seq)"
        + " INSERT INTO w.fired SELECT p.feed_id, array_agg(p.seq), now(), 'abcdef0123456789abcdef0123456789'"
        + " FROM p GROUP BY p.feed_id";
    SHAPES.put("pending, lease per claim, history per fire", new Shape(EVENTS + PENDING_TABLE + firesDdl
        + LEASES.formatted("w.pending x WHERE"), pendingInsert, leaseClaim, firesAck));
    // PgQ-style: no pending set. Events are a log read in ticks of transaction snapshots (an event
    // belongs to the first tick whose snapshot sees its transaction, so a late committer is read in
    // a later tick, never skipped), within a tick in (xid, seq) order from a cursor; a claim records
    // its range as one row, and an outcome deletes that row, moves the durable cursor and appends one
    // history row per fire. Retries and dead letters would be rows of their own (not measured: the
    // happy path writes none).
    SHAPES.put("log, ticks", new Shape(EVENTS + LOG, INSERT, LOG_CLAIM, LOG_ACK));
    // the same without the index on creation time: retention would drop time partitions instead
    SHAPES.put("log, ticks, no age index", new Shape(EVENTS + LOG.replace(
        "CREATE INDEX events_created ON w.events (created_at);\n", ""), INSERT, LOG_CLAIM, LOG_ACK));
    // the payload as written by the WAL capture (JSON text from the provider) into a jsonb column, a
    // json column (checked, stored as text, printed as stored), or a text column for the table and a
    // json column for the data (what the claim hands out, so nothing is extracted or printed)
    String fromText = "WITH t AS (SELECT 1 + g %% 10 AS f, '{\"new\": {\"id\": ' || g || ', \"customer\": \"customer '"
        + " || g || '\", \"total\": ' || g * 1.5 || ', \"note\": \"' || repeat('x', 120) || '\"}, \"old\": null}' AS d"
        + " FROM generate_series(1, ?) g), e AS (INSERT INTO w.events (feed_id, op, %s) SELECT f, 'INSERT', %s FROM t"
        + " RETURNING feed_id, seq, id, next_attempt_at)"
        + " INSERT INTO w.pending (feed_id, seq, id, next_attempt_at) SELECT * FROM e";
    String jsonbText = fromText.formatted("payload", "('{\"table\": \"public.orders\", \"data\": ' || d || '}')::jsonb");
    String jsonText = fromText.formatted("payload", "('{\"table\": \"public.orders\", \"data\": ' || d || '}')::json");
    String columnsText = fromText.formatted("tbl, data", "'public.orders', d::json");
    String pendingDdl = PENDING_TABLE + LEASES.formatted("w.pending x WHERE") + firesDdl;
    SHAPES.put("fire, jsonb from text", new Shape(EVENTS + pendingDdl, jsonbText, leaseClaim, firesAck));
    SHAPES.put("fire, json from text", new Shape(EVENTS.replace("payload jsonb", "payload json") + pendingDdl
        .replace("(e.payload -> 'table')::text", "(e.payload ->> 'table')").replace("(e.payload -> 'data')::text",
            "(e.payload -> 'data')::text"), jsonText, leaseClaim, firesAck));
    SHAPES.put("fire, table + json data", new Shape(EVENTS.replace("payload jsonb NOT NULL", "tbl text NOT NULL, data json")
        + pendingDdl.replace("(e.payload -> 'table')::text", "e.tbl").replace("(e.payload -> 'data')::text", "e.data::text"),
        columnsText, leaseClaim, firesAck));
    // -Dbench.shapes="a;b": only these shapes (names as above)
    String only = System.getProperty("bench.shapes", "");
    if (!only.isBlank()) SHAPES.keySet().retainAll(java.util.Arrays.asList(only.split(";")));
  }

  record Figures(double insertUs, double deliverUs, double claimWallUs, double ackWallUs, double eventsPerSec) {}

  @Test
  void storeDesigns() throws Exception {
    Path dir = Files.createTempDirectory("store-design");
    Map<String, List<Figures>> results = new LinkedHashMap<>();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true)
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on").setServerConfig("wal_level", "logical").start()) {
      for (int round = 0; round < ROUNDS; round++) {
        for (Map.Entry<String, Shape> shape : SHAPES.entrySet()) {
          try (Connection c = pg.getPostgresDatabase().getConnection()) {
            results.computeIfAbsent(shape.getKey(), k -> new ArrayList<>()).add(run(c, shape.getValue()));
          }
        }
      }
    }
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "store-design: %d events of 10 feeds, "
        + "claims and acknowledgements of %d, %d rounds, medians (min-max); backend CPU per row/event%n",
        ROWS, BATCH, ROUNDS));
    results.forEach((name, figures) -> report.append(String.format(Locale.ROOT,
        "BENCH %-16s write %s µs/row | claim+ack %s µs/event (wall: claim %s, ack %s) | %s events/s%n", name,
        spread(figures, Figures::insertUs), spread(figures, Figures::deliverUs), spread(figures, Figures::claimWallUs),
        spread(figures, Figures::ackWallUs), spread(figures, Figures::eventsPerSec))));
    System.out.print(report);
    Files.writeString(Path.of("target", "store-design.txt"), report.toString());
  }

  private static Figures run(Connection c, Shape shape) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS w CASCADE");
      s.execute(shape.ddl());
    }
    long cpu0 = backendCpuNanos(c);
    try (PreparedStatement insert = c.prepareStatement(shape.insert())) {
      for (int i = 0; i < ROWS / 1000; i++) {
        insert.setInt(1, 1000);
        insert.execute();
      }
    }
    double insertUs = (backendCpuNanos(c) - cpu0) / 1e3 / ROWS;
    try (Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE w.events");
      if (shape.ddl().contains("w.pending")) s.execute("VACUUM ANALYZE w.pending");
    }
    Array feeds = c.createArrayOf("bigint", new Long[] {1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L});
    PreparedStatement claim = c.prepareStatement(shape.claim());
    PreparedStatement ack = c.prepareStatement(shape.ack());
    Timestamp floor = new Timestamp(0);
    long claimNanos = 0;
    long ackNanos = 0;
    int done = 0;
    long t0 = System.nanoTime();
    cpu0 = backendCpuNanos(c);
    while (true) {
      long start = System.nanoTime();
      claim.setString(1, "bench");
      claim.setArray(2, feeds);
      claim.setTimestamp(3, floor);
      claim.setInt(4, BATCH);
      List<UUID> ids = new ArrayList<>(BATCH);
      Timestamp oldest = null;
      try (ResultSet r = claim.executeQuery()) {
        while (r.next()) {
          ids.add((UUID) r.getObject(1));
          r.getString(6);
          Timestamp created = r.getTimestamp(7);
          if (oldest == null || created.before(oldest)) oldest = created;
        }
      }
      claimNanos += System.nanoTime() - start;
      if (ids.isEmpty()) break;
      // never-tried events are due from their creation: the claim's oldest is the next floor
      floor = new Timestamp(oldest.getTime() - 1);
      start = System.nanoTime();
      ack.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      ack.setString(2, "bench");
      ack.executeUpdate();
      ackNanos += System.nanoTime() - start;
      done += ids.size();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (done != ROWS) throw new IllegalStateException("the shape delivered " + done + " of " + ROWS + " events");
    return new Figures(insertUs, (backendCpuNanos(c) - cpu0) / 1e3 / done, claimNanos / 1e3 / done,
        ackNanos / 1e3 / done, done / seconds);
  }

  private static long backendCpuNanos(Connection c) throws Exception {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      return CpuMeter.backendsNanos(List.of(r.getInt(1)));
    }
  }

  private static String spread(List<Figures> figures, java.util.function.ToDoubleFunction<Figures> f) {
    double[] v = figures.stream().mapToDouble(f).sorted().toArray();
    String pattern = v[v.length / 2] >= 1000 ? "%,.0f (%,.0f-%,.0f)" : "%.1f (%.1f-%.1f)";
    return String.format(Locale.ROOT, pattern, v[v.length / 2], v[0], v[v.length - 1]);
  }
}
