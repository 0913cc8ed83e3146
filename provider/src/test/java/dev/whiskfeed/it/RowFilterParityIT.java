package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same row filters in both capture modes, on the same rows, give the same rows — and the rows
 * Postgres itself selects with the equivalent SQL condition on the table's own types (the oracle:
 * neither mode's code is in it). Rows cover NULLs, numbers (NaN, ±Infinity, -0, more digits than a
 * double), text patterns with Unicode, char padding, dates BC and infinite, timestamps, offsets,
 * uuids, enums and domains; INSERT filters the new rows, DELETE the old ones.
 */
@ExtendWith(PgExtension.class)
class RowFilterParityIT extends WithStandInOpenWhisk {
  TestDatabase db;
  ChangesFixture f;

  /** Filter (JSON) → the same condition in SQL over the table's columns. */
  static final Map<String, String> FILTERS = new LinkedHashMap<>();

  static {
    FILTERS.put("{\"num\": {\"_gt\": 1.5}}", "num > 1.5");
    FILTERS.put("{\"num\": {\"_in\": [\"NaN\", \"12345678901234567890.123456789\"]}}",
        "num IN ('NaN', 12345678901234567890.123456789)");
    FILTERS.put("{\"f\": {\"_gte\": 0}}", "f >= 0");
    FILTERS.put("{\"f\": {\"_eq\": \"NaN\"}}", "f = 'NaN'");
    FILTERS.put("{\"f\": {\"_lt\": \"-1e300\"}}", "f < -1e300");
    FILTERS.put("{\"r\": {\"_eq\": 0.1}}", "r = 0.1::real");
    FILTERS.put("{\"n\": {\"_nin\": [1, 2]}}", "n NOT IN (1, 2)");
    FILTERS.put("{\"_or\": [{\"n\": {\"_is_null\": true}}, {\"n\": {\"_lt\": 0}}]}", "n IS NULL OR n < 0");
    FILTERS.put("{\"b\": {\"_eq\": true}}", "b = true");
    FILTERS.put("{\"_not\": {\"b\": {\"_eq\": true}}}", "NOT (b = true)");
    FILTERS.put("{\"b\": {\"_lt\": true}}", "b < true");
    FILTERS.put("{\"t\": {\"_like\": \"a%\"}}", "t COLLATE \"C\" LIKE 'a%'");
    FILTERS.put("{\"t\": {\"_like\": \"%\\\\%%\"}}", "t COLLATE \"C\" LIKE '%\\%%'");
    FILTERS.put("{\"t\": {\"_like\": \"_b_\"}}", "t COLLATE \"C\" LIKE '_b_'");
    FILTERS.put("{\"t\": {\"_ilike\": \"%ÄB%\"}}", "lower(t COLLATE pg_c_utf8) LIKE lower('%ÄB%' COLLATE pg_c_utf8)");
    FILTERS.put("{\"t\": {\"_eq\": \"Ab\"}}", "t COLLATE \"C\" = 'Ab'");
    FILTERS.put("{\"t\": {\"_nin\": [\"x\", \"y\"]}}", "t NOT IN ('x', 'y')");
    FILTERS.put("{\"c\": {\"_eq\": \"ab\"}}", "c = 'ab'");
    FILTERS.put("{\"c\": {\"_like\": \"ab\"}}", "rtrim(c::text) COLLATE \"C\" LIKE 'ab'");
    FILTERS.put("{\"d\": {\"_lt\": \"2000-01-01\"}}", "d < '2000-01-01'");
    FILTERS.put("{\"d\": {\"_gte\": \"0044-03-15 BC\"}}", "d >= '0044-03-15 BC'");
    FILTERS.put("{\"ts\": {\"_gte\": \"2026-01-01 00:00\"}}", "ts >= '2026-01-01 00:00'");
    FILTERS.put("{\"tstz\": {\"_gt\": \"2026-01-01T00:00:00+02:00\"}}", "tstz > '2026-01-01T00:00:00+02:00'");
    FILTERS.put("{\"tstz\": {\"_eq\": \"2026-06-01 12:00:00.5-03:30\"}}", "tstz = '2026-06-01 12:00:00.5-03:30'");
    FILTERS.put("{\"tm\": {\"_lte\": \"12:00\"}}", "tm <= '12:00'");
    FILTERS.put("{\"u\": {\"_gt\": \"80000000-0000-0000-0000-000000000000\"}}",
        "u > '80000000-0000-0000-0000-000000000000'");
    FILTERS.put("{\"e\": {\"_in\": [\"sad\", \"ok\"]}}", "e IN ('sad', 'ok')");
    FILTERS.put("{\"dom\": {\"_gt\": 5}}", "dom > 5");
    FILTERS.put("{\"n\": {\"_nin\": []}}", "true");
    FILTERS.put("{\"n\": {\"_in\": []}}", "false");
    FILTERS.put("{\"_and\": [{\"n\": {\"_gte\": 0}}, {\"_or\": [{\"t\": {\"_like\": \"%b%\"}}, {\"b\": {\"_eq\": false}}]}]}",
        "n >= 0 AND (t COLLATE \"C\" LIKE '%b%' OR b = false)");
  }

  static final String ROWS = """
      INSERT INTO public.typed (id, n, num, f, r, b, t, c, d, ts, tstz, tm, u, e, dom) VALUES
       (1, 1, 1.5, 0, 0.1, true, 'abc', 'ab', '2026-01-01', '2026-01-01 00:00', '2026-01-01 00:00+00', '12:00',
        '00000000-0000-0000-0000-000000000001', 'ok', 5),
       (2, 2, 1.50000000000000000001, '-0', 0.2, false, 'Ab', 'ab   ', '0044-03-15 BC', '2025-12-31 23:59:59.999999',
        '2025-12-31 22:00:00.000001+00', '12:00:00.000001', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'sad', 6),
       (3, -1, 'NaN', 'NaN', 'NaN', NULL, 'xäbx', 'x', '-infinity', 'infinity', '-infinity', '00:00', NULL, 'happy', NULL),
       (4, NULL, 12345678901234567890.123456789, '-Infinity', '-Infinity', true, 'a%b', NULL, 'infinity', '-infinity',
        'infinity', '24:00', '80000000-0000-0000-0000-000000000000', NULL, 100),
       (5, 0, '-Infinity', 'Infinity', '1e-30', false, 'ÄBC', 'abc', '0001-01-01 BC', '0044-03-15 10:00 BC',
        '2026-06-01 15:30:00.5+00', '23:59:59.999999', '80000000-0000-0000-0000-000000000001', 'ok', -3),
       (6, 3, 'Infinity', -1e301, 0.1, NULL, NULL, '', '1999-12-31', '2000-01-01', '2026-01-01 00:00:00.000001+02',
        NULL, '7fffffff-ffff-ffff-ffff-ffffffffffff', 'sad', 0),
       (7, 4, -0.0, 1e-320, 3.4e38, true, 'x', '  ab', '2000-01-01', NULL, '2026-01-01 02:00:00+02', '12:00:00',
        NULL, NULL, 7),
       (8, 5, NULL, NULL, NULL, false, 'bbb', 'ab  ', NULL, '2026-01-01 00:00:00', NULL, '11:59:59.999999',
        '00000000-0000-0000-0000-000000000000', 'happy', 5)""";

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("parity");
    db.execute("CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy')");
    db.execute("CREATE DOMAIN public.small AS integer");
    db.execute("""
        CREATE TABLE public.typed (id int PRIMARY KEY, n int, num numeric, f float8, r real, b boolean, t text,
          c char(5), d date, ts timestamp, tstz timestamptz, tm time, u uuid, e public.mood, dom public.small)""");
    f = new ChangesFixture(openwhisk, db, Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void bothModesAndPostgresSelectTheSameRows() {
    JsonObject base = new JsonObject().put("kind", "changes").put("table", "public.typed");
    int i = 0;
    for (String where : FILTERS.keySet()) {
      for (String capture : List.of("trigger", "wal")) {
        f.create(capture + i, base.copy().put("capture", capture).put("where", new JsonObject(where)));
      }
      i++;
    }
    f.create("walAll", base.copy().put("capture", "wal"));

    db.execute(ROWS);
    awaitWal("INSERT", 8);
    db.execute("DELETE FROM public.typed");
    awaitWal("DELETE", 8);

    Set<Set<Integer>> distinct = new java.util.HashSet<>();
    i = 0;
    for (Map.Entry<String, String> filter : FILTERS.entrySet()) {
      Set<Integer> expected = oracle(filter.getValue());
      distinct.add(expected);
      for (String op : List.of("INSERT", "DELETE")) {
        assertThat(ids("trigger" + i, op)).as("trigger %s %s", op, filter.getKey()).isEqualTo(expected);
        assertThat(ids("wal" + i, op)).as("wal %s %s", op, filter.getKey()).isEqualTo(expected);
      }
      i++;
    }
    assertThat(distinct).as("the filters select different rows").hasSizeGreaterThan(15);
  }

  /** The ids Postgres selects with {@code condition} over the same rows, in a copy of the table. */
  private Set<Integer> oracle(String condition) {
    db.execute("CREATE TABLE IF NOT EXISTS public.oracle (LIKE public.typed)");
    db.execute("TRUNCATE public.oracle");
    db.execute(ROWS.replace("public.typed", "public.oracle"));
    Set<Integer> out = new TreeSet<>();
    db.query("SELECT id FROM public.oracle WHERE " + condition).forEach(r -> out.add(((Number) r.get("id")).intValue()));
    return out;
  }

  private void awaitWal(String op, int n) {
    await().atMost(ChangesFixture.WAIT).until(() -> ids("walAll", op).size() >= n);
  }

  private Set<Integer> ids(String trigger, String op) {
    long feed = db.queryLong("SELECT id FROM whiskfeed.feeds WHERE namespace = 'guest' AND trigger = ?", trigger);
    Set<Integer> out = new TreeSet<>();
    db.query("SELECT payload FROM whiskfeed.events WHERE feed_id = ? AND op = ?", feed, op).forEach(r -> {
      JsonObject data = new JsonObject(String.valueOf(r.get("payload"))).getJsonObject("data");
      JsonObject row = op.equals("DELETE") ? data.getJsonObject("old") : data.getJsonObject("new");
      out.add(row.getInteger("id"));
    });
    return out;
  }
}
