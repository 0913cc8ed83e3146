package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WAL capture's payload must equal trigger capture's {@code to_jsonb(row)} once stored as jsonb. For
 * a table of many types and edge values, each column's text output (what pgoutput sends, produced
 * under the walsender's settings) goes through {@link PgTypes} and {@link JsonText}; Postgres parses
 * the object and compares it, column by column, with {@code to_jsonb(t.*)} computed under the
 * trigger function's settings.
 */
@ExtendWith(PgExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValueParityIT {

  /** The walsender's settings: pgoutput prints values with these. */
  private static List<String> walSession(String zone) {
    return List.of("SET \"TimeZone\" = '" + zone + "'", "SET \"DateStyle\" = 'ISO'",
        "SET \"IntervalStyle\" = 'iso_8601'", "SET bytea_output = 'hex'", "SET extra_float_digits = 1");
  }

  /** The trigger function's settings (CaptureDdl), for to_jsonb. */
  private static List<String> triggerSettings(String zone) {
    return List.of("SET LOCAL \"TimeZone\" = '" + zone + "'", "SET LOCAL \"IntervalStyle\" = 'iso_8601'",
        "SET LOCAL bytea_output = 'hex'", "SET LOCAL extra_float_digits = 1");
  }

  private static final String SCHEMA = """
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'a "quoted", value', '');
      CREATE DOMAIN amount AS numeric(12, 2) CHECK (VALUE >= 0);
      CREATE DOMAIN amounts AS amount[];
      CREATE TYPE inner_t AS (n int, tags text[], at timestamptz, ok boolean, gone text);
      ALTER TYPE inner_t DROP ATTRIBUTE gone;
      CREATE TYPE outer_t AS (label text, inner_v inner_t, inners inner_t[], grid int[], doc jsonb, m mood,
                              a amount, d date);
      CREATE TABLE matrix (
        id int PRIMARY KEY,
        c_smallint smallint, c_int int, c_bigint bigint, c_numeric numeric, c_real real, c_double double precision,
        c_bool boolean, c_text text, c_char char(5), c_varchar varchar(20), c_uuid uuid, c_json json, c_jsonb jsonb,
        c_bytea bytea, c_date date, c_time time, c_timetz timetz, c_timestamp timestamp(6),
        c_timestamptz timestamptz, c_interval interval,
        c_int_array int[], c_text_array text[], c_int_grid int[][], c_numeric_array numeric[],
        c_float_array float8[], c_bool_array boolean[], c_date_array date[], c_ts_array timestamp[],
        c_tstz_array timestamptz[], c_json_array json[], c_jsonb_array jsonb[], c_mood_array mood[],
        c_amounts amounts, c_amount_array amount[], c_box_array box[], c_outer_array outer_t[],
        c_mood mood, c_amount amount, c_outer outer_t, c_inner inner_t,
        c_inet inet, c_cidr cidr, c_macaddr macaddr, c_int4range int4range, c_tstzrange tstzrange,
        c_datemultirange datemultirange, c_money money, c_point point, c_varbit bit varying, c_tsvector tsvector,
        c_name name, c_char1 "char", c_oid oid
      );
      """;

  private static final String ROWS = """
      INSERT INTO matrix VALUES (1,
        1, 2, 3, 4.5, 0.1, 0.1,
        true, 'plain', 'ab', 'x, y', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}',
        '\\x00ff10', '2026-11-22', '06:00:00.123', '06:00:00.123+05:30', '2026-11-22 06:00:00.123',
        '2026-11-22 06:00:00.123+00', '1 year 2 months 3 days 04:05:06.789',
        '{1,NULL,3}', '{a,NULL,"b c"}', '{{1,2},{3,NULL}}', '{1.50,NaN,-0.000}',
        '{NaN,Infinity,-Infinity,1e300,0.1,-0}', '{t,f,NULL}', '{2026-11-22,infinity,0044-03-15 BC}',
        '{"2026-11-22 06:00:00",-infinity}', '{"2026-11-22 06:00:00.5+00",infinity,NULL}',
        ARRAY['{"a": 1, "a": 2}', '[1.0, 2]', '"s"', 'null']::json[], ARRAY['{"x": 1.50}', '3']::jsonb[],
        '{sad,"a \\"quoted\\", value",NULL,""}', '{1.5,2}', '{3.25,NULL}', '{(1,1),(0,0);(3,3),(2,2)}',
        ARRAY[ROW('in array', ROW(1, '{x}', NULL, NULL), NULL, '{}', '[]', 'ok', 1, NULL)::outer_t, NULL],
        'ok', 12.5,
        ROW('lbl "x", (y)', ROW(1, ARRAY['a', NULL, 'b,c', '', 'NULL'], '2020-01-01 10:00+00', true),
            ARRAY[ROW(2, '{}', 'infinity', false)::inner_t, NULL], '[0:1][2:3]={{1,NULL},{3,4}}',
            '{"k": [1, 2.50], "s": "q\\"\\\\"}', 'a "quoted", value', 7.1, '0044-03-15 BC'),
        ROW(NULL, NULL, NULL, NULL),
        '1.2.3.4', '10.0.0.0/8', '08:00:2b:01:02:03', '[1,5)', '[2020-01-01 00:00+00,infinity)',
        '{[2020-01-01,2020-02-01),[2021-01-01,)}', 12.34, '(1.5,-2)', B'1011', 'a:1 fat cat', 'a name', 'x', 4294967295);
      INSERT INTO matrix VALUES (2,
        -32768, -2147483648, 9007199254740993, 123456789012345678901234567890.123456789012345678901234567890,
        'Infinity', '-Infinity',
        false, E'ctl \\x01\\x1f\\x7f \\b\\f\\n\\r\\t "q" \\\\ / é € 😀 \\u2028 \\uFEFF end', 'abcde', '', '00000000-0000-0000-0000-000000000000',
        E'{ "a" : 1 ,\\n "a": 2, "b": [1.0, 1e2, -0.0, 1E-3], "c": {"d": null}, "\\\\u00e9": "\\\\ud83d\\\\ude00"}',
        '"just a string"', '\\x', 'infinity', '24:00:00', '06:00:00-00:00:30', 'infinity', 'infinity', '-1 day -00:00:01',
        '{}', '{"","NULL",null,"\\"q\\"","\\\\x",",{}","tab\there","é😀"," lead","trail "}',
        '[-2:-1][0:1]={{1,2},{3,4}}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}',
        'a "quoted", value', 0,
        ROW('', NULL, '{}', '{}', 'null', '', 0, 'infinity'), ROW(0, '{}', '-infinity', false),
        '::1', '::/0', 'ff:ff:ff:ff:ff:ff', 'empty', 'empty', '{}', -0.01, '(0,0)', B'', '', '', E'\\\\', 0);
      INSERT INTO matrix VALUES (3,
        32767, 2147483647, -9223372036854775808, 'NaN', 'NaN', 1e300,
        NULL, '', 'a', NULL, NULL, '123.4500', 'null', NULL, '-infinity', '00:00:00', '23:59:59.999999-15:59', '0044-03-15 12:00:00.5 BC',
        '4713-01-01 00:00:00+00 BC', 'P0D', '{{{1},{2}},{{3},{NULL}}}', '{NULL}', NULL, NULL,
        '{1e-300,3.4028235e+38}', NULL, '{4713-01-01 BC}', NULL, '{"294276-12-31 23:59:59.999999+00"}', NULL, NULL,
        NULL, NULL, NULL, NULL, '{NULL}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, '(,)', '(2020-01-01 00:00+00,)',
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      INSERT INTO matrix VALUES (4,
        0, 0, 0, 0, 1e-45, 5e-324,
        NULL, ' ', '     ', ' ', NULL, '[]', '[]', NULL, '5874897-12-31', NULL, NULL, '294276-12-31 23:59:59.999999',
        '1901-12-13 20:45:52+00', '-1 years +2 months -3 days 04:05:06.5', NULL, NULL, NULL, NULL,
        '{-0,1.5e-07}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      INSERT INTO matrix (id) VALUES (5);
      """;

  private TestDatabase db;

  @BeforeAll
  void createTheMatrix(TestPostgres pg) {
    db = pg.newDatabase("values");
    db.execute(SCHEMA);
    db.execute(ROWS);
  }

  /**
   * Capture pins UTC; the other zones print timestamptz offsets with minutes (+05:30, -03:30) and, for
   * Amsterdam before 1937, seconds (+00:19:32), which to_jsonb prints differently from the ISO style.
   */
  @ParameterizedTest
  @ValueSource(strings = {"UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam"})
  void everyColumnPrintsAsToJsonbPrintsIt(String zone) throws SQLException {
    try (Connection wal = db.connect(); Connection trigger = db.connect()) {
      settings(wal, walSession(zone));
      PgTypes types = new PgTypes(wal);
      List<PgType.Field> fields = columns(wal, types);
      assertThat(fields).hasSize(54);
      List<String> mismatches = new ArrayList<>();
      int rows = 0;
      for (Row row : textOutputs(wal, fields)) {
        StringBuilder object = new StringBuilder();
        JsonText.appendObject(object, fields, row.texts());
        mismatches.addAll(compare(trigger, zone, row, fields, object.toString()));
        rows++;
      }
      assertThat(rows).isEqualTo(5);
      assertThat(mismatches).as("columns whose JSON differs from to_jsonb's").isEmpty();
    }
  }

  @Test
  void aUserTypeWithACastToJsonIsRefusedSinceToJsonbCallsTheCast() throws SQLException {
    db.execute("""
        CREATE TYPE flag AS ENUM ('on', 'off');
        CREATE FUNCTION flag_json(flag) RETURNS json LANGUAGE sql IMMUTABLE AS $$ SELECT json_build_object('flag', $1::text) $$;
        CREATE CAST (flag AS json) WITH FUNCTION flag_json(flag);
        CREATE DOMAIN flag_domain AS flag""");
    assertThat(db.query("SELECT to_jsonb('on'::flag)::text AS j").get(0).get("j")).isEqualTo("{\"flag\": \"on\"}");
    try (Connection connection = db.connect()) {
      PgTypes types = new PgTypes(connection);
      for (String type : List.of("flag", "flag_domain")) {
        int oid = (int) db.queryLong("SELECT ?::regtype::oid::bigint", type);
        assertThatThrownBy(() -> types.resolve(oid)).as(type).isInstanceOf(WhiskfeedException.class)
            .hasMessageContaining("cast to json");
      }
      // an array of it is an array to to_jsonb, whose elements then go through the cast: refused as well
      int arrayOid = (int) db.queryLong("SELECT 'flag[]'::regtype::oid::bigint");
      assertThatThrownBy(() -> types.resolve(arrayOid)).isInstanceOf(WhiskfeedException.class);
    }
  }

  private record Row(int id, List<String> texts) {}

  private static void settings(Connection connection, List<String> statements) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements) statement.execute(sql);
    }
  }

  private static List<PgType.Field> columns(Connection connection, PgTypes types) throws SQLException {
    List<String> names = new ArrayList<>();
    List<Integer> oids = new ArrayList<>();
    try (Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery("""
             SELECT attname::text, atttypid::bigint FROM pg_attribute
              WHERE attrelid = 'matrix'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum""")) {
      while (rs.next()) {
        names.add(rs.getString(1));
        oids.add((int) rs.getLong(2));
      }
    }
    List<PgType.Field> fields = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) fields.add(new PgType.Field(names.get(i), types.resolve(oids.get(i))));
    return fields;
  }

  /**
   * Each column's text output. Not {@code ::text}: that cast is not the output function for every
   * type (boolean casts to {@code true}, char(n) loses its padding, inet gains {@code /32}); format's
   * {@code %s} calls the output function, as pgoutput does. num_nulls tells a NULL from a composite
   * whose fields are all NULL (for which {@code IS NULL} is true).
   */
  private static List<Row> textOutputs(Connection wal, List<PgType.Field> fields) throws SQLException {
    String select = fields.stream()
        .map(f -> "CASE WHEN pg_catalog.num_nulls(t.%1$s) = 1 THEN NULL ELSE pg_catalog.format('%%s', t.%1$s) END"
            .formatted(quote(f.name())))
        .collect(Collectors.joining(", ", "SELECT t.id, ", " FROM matrix t ORDER BY t.id"));
    List<Row> rows = new ArrayList<>();
    try (Statement statement = wal.createStatement(); ResultSet rs = statement.executeQuery(select)) {
      while (rs.next()) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) texts.add(rs.getString(i + 2));
        rows.add(new Row(rs.getInt(1), texts));
      }
    }
    return rows;
  }

  private static final String COMPARE = """
      SELECT k, (e -> k) = (a -> k) AND (e -> k)::text = (a -> k)::text AS same,
             (e -> k)::text AS expected, (a -> k)::text AS actual
        FROM (SELECT pg_catalog.to_jsonb(t.*) AS e FROM matrix t WHERE t.id = ?) x,
             (SELECT ?::jsonb AS a) y,
             LATERAL (SELECT pg_catalog.jsonb_object_keys(x.e) UNION SELECT pg_catalog.jsonb_object_keys(y.a)) keys(k)
       ORDER BY k""";

  /** The columns of one row whose JSON differs, each with the text it came from. */
  private static List<String> compare(Connection trigger, String zone, Row row, List<PgType.Field> fields,
      String object) throws SQLException {
    List<String> mismatches = new ArrayList<>();
    trigger.setAutoCommit(false);
    try {
      settings(trigger, triggerSettings(zone));
      try (PreparedStatement statement = trigger.prepareStatement(COMPARE)) {
        statement.setInt(1, row.id());
        statement.setString(2, object);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            if (rs.getBoolean("same")) continue;
            String column = rs.getString("k");
            int index = fields.stream().map(PgType.Field::name).toList().indexOf(column);
            mismatches.add("row " + row.id() + " " + column + ": to_jsonb " + rs.getString("expected") + ", ours "
                + rs.getString("actual") + " from text " + (index < 0 ? "?" : row.texts().get(index)));
          }
        }
      }
    } finally {
      trigger.rollback();
      trigger.setAutoCommit(true);
    }
    return mismatches;
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
