package dev.whiskfeed.capture;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What capture reads from a store's catalog: the table, its columns, the provider role's rights, installed triggers. */
final class Catalog {
  private Catalog() {}

  /**
   * A table as the catalog knows it, and whether the provider's role ({@code role}) may create
   * triggers on it (TRIGGER) and drop them again (only the owner, or a member of the owner role, may).
   */
  record Table(String schema, String name, String kind, List<String> columns, boolean canTrigger, boolean owns,
               String role) {
    TableName tableName() {
      return TableName.of(schema, name);
    }

    boolean isTable() {
      return kind.equals("r") || kind.equals("p");
    }
  }

  /** The provider role's rights in a source database, for installing the {@code whiskfeed} schema. */
  record Rights(String role, String database, boolean schemaExists, boolean mayCreateInSchema,
                boolean mayCreateSchema) {}

  /** A capture trigger found on a table. {@code enabled} is false after ALTER TABLE … DISABLE TRIGGER. */
  record InstalledTrigger(String name, String schema, String table, boolean enabled) {}

  // per name asked for (its place in the arrays): the exact spelling first, then the name SQL would
  // fold an unquoted part to
  private static final String TABLES = """
      SELECT DISTINCT ON (w.i) w.i, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
             ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
             pg_catalog.has_table_privilege(c.oid, 'TRIGGER') AS can_trigger,
             pg_catalog.pg_has_role(c.relowner, 'USAGE') AS owns,
             current_user::text AS role
      FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]),
                      pg_catalog.unnest($4::text[])) WITH ORDINALITY AS w(s, t, fs, ft, i)
      JOIN pg_catalog.pg_namespace n ON n.nspname = w.s OR n.nspname = w.fs
      JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
       AND ((n.nspname = w.s AND c.relname = w.t) OR (n.nspname = w.fs AND c.relname = w.ft))
      ORDER BY w.i, (n.nspname = w.s AND c.relname = w.t) DESC""";

  private static final String RIGHTS = """
      SELECT current_user::text AS role, pg_catalog.current_database()::text AS database,
             s.oid IS NOT NULL AS schema_exists,
             COALESCE(pg_catalog.has_schema_privilege(s.oid, 'CREATE, USAGE'), false) AS may_create_in_schema,
             pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE') AS may_create_schema
      FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_namespace s ON s.nspname = 'whiskfeed'""";

  // the triggers calling each feed's capture function, by feed
  private static final String TRIGGERS = """
      SELECT f.feed, tg.tgname::text AS name, n.nspname::text AS schema, c.relname::text AS table,
             tg.tgenabled <> 'D' AS enabled
      FROM ROWS FROM (pg_catalog.unnest($1::bigint[]), pg_catalog.unnest($2::text[])) AS f(feed, fn)
      JOIN pg_catalog.pg_trigger tg ON tg.tgfoid = pg_catalog.to_regprocedure(f.fn)
      JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace""";

  // the primary key's columns in key order, each with its type as SQL spells it (quoted where needed)
  private static final String PRIMARY_KEY = """
      SELECT a.attname::text AS name, pg_catalog.format_type(a.atttypid, NULL) AS type
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = pg_catalog.to_regclass($1) AND i.indisprimary
      ORDER BY pg_catalog.array_position(i.indkey::pg_catalog.int2[], a.attnum)""";

  /** The table's primary key; empty when it has none (or the table is gone). */
  static Future<List<BackfillQuery.KeyColumn>> primaryKey(SqlClient c, TableName table) {
    return c.preparedQuery(PRIMARY_KEY).execute(Tuple.of(Sql.qualified(table.schema(), table.name()))).map(rows -> {
      List<BackfillQuery.KeyColumn> out = new ArrayList<>();
      rows.forEach(r -> out.add(new BackfillQuery.KeyColumn(r.getString("name"), r.getString("type"))));
      return out;
    });
  }

  // each column's declared type and, through any domains, its base type
  private static final String COLUMN_TYPES = """
      WITH RECURSIVE d(attnum, name, declared, typ) AS (
        SELECT a.attnum, a.attname::text, a.atttypid, a.atttypid
          FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT d.attnum, d.name, d.declared, t.typbasetype
          FROM d JOIN pg_catalog.pg_type t ON t.oid = d.typ
         WHERE t.typtype = 'd')
      SELECT d.name, d.declared::bigint AS declared, d.typ::bigint AS base, t.typtype = 'e' AS is_enum,
             pg_catalog.format_type(d.typ, NULL) AS base_name,
             pg_catalog.current_setting('server_version_num')::int >= 170000
               AND pg_catalog.getdatabaseencoding() = 'UTF8' AS unicode_lower
        FROM d JOIN pg_catalog.pg_type t ON t.oid = d.typ
       WHERE t.typtype <> 'd'
       ORDER BY d.attnum""";

  /** A table's columns as a row filter compares them, and whether {@code pg_c_utf8} can fold case there. */
  record ColumnTypes(java.util.Map<String, FilterSql.ColumnType> byName, boolean unicodeLower) {}

  static Future<ColumnTypes> columnTypes(SqlClient c, Table t) {
    return c.preparedQuery(COLUMN_TYPES).execute(Tuple.of(t.schema(), t.name())).map(rows -> {
      java.util.Map<String, FilterSql.ColumnType> out = new java.util.LinkedHashMap<>();
      boolean unicodeLower = false;
      for (Row r : rows) {
        out.put(r.getString("name"), new FilterSql.ColumnType(r.getString("name"),
            FilterType.of(r.getLong("base"), r.getBoolean("is_enum")), r.getLong("declared"), r.getString("base_name")));
        unicodeLower = r.getBoolean("unicode_lower");
      }
      return new ColumnTypes(out, unicodeLower);
    });
  }

  static Future<Optional<Table>> table(SqlClient c, TableName name) {
    return tables(c, List.of(name)).map(found -> found.get(0));
  }

  /** Each of {@code names} as the catalog knows it (empty: no such table), in one query. */
  static Future<List<Optional<Table>>> tables(SqlClient c, List<TableName> names) {
    int n = names.size();
    String[] schemas = new String[n];
    String[] tables = new String[n];
    String[] foldedSchemas = new String[n];
    String[] foldedTables = new String[n];
    for (int i = 0; i < n; i++) {
      TableName name = names.get(i);
      TableName folded = name.folded();
      schemas[i] = name.schema();
      tables[i] = name.name();
      foldedSchemas[i] = folded.schema();
      foldedTables[i] = folded.name();
    }
    Tuple arrays = Tuple.tuple().addArrayOfString(schemas).addArrayOfString(tables).addArrayOfString(foldedSchemas)
        .addArrayOfString(foldedTables);
    return c.preparedQuery(TABLES).execute(arrays).map(rows -> {
      List<Optional<Table>> out = new ArrayList<>(Collections.nCopies(n, Optional.<Table>empty()));
      for (Row r : rows) {
        out.set(r.getLong("i").intValue() - 1, Optional.of(new Table(r.getString("schema"), r.getString("name"),
            r.getString("kind"), Arrays.asList(r.getArrayOfStrings("columns")), r.getBoolean("can_trigger"),
            r.getBoolean("owns"), r.getString("role"))));
      }
      return out;
    });
  }

  static Future<Rights> rights(SqlClient c) {
    return c.query(RIGHTS).execute().map(rows -> {
      Row r = rows.iterator().next();
      return new Rights(r.getString("role"), r.getString("database"), r.getBoolean("schema_exists"),
          r.getBoolean("may_create_in_schema"), r.getBoolean("may_create_schema"));
    });
  }

  static Future<List<InstalledTrigger>> triggers(SqlClient c, long feedId) {
    return triggers(c, List.of(feedId)).map(found -> found.getOrDefault(feedId, List.of()));
  }

  /** The capture triggers of each of {@code feedIds} (a feed with none is left out), in one query. */
  static Future<Map<Long, List<InstalledTrigger>>> triggers(SqlClient c, List<Long> feedIds) {
    if (feedIds.isEmpty()) return Future.succeededFuture(Map.of());
    Long[] ids = feedIds.toArray(Long[]::new);
    String[] functions = feedIds.stream().map(CaptureDdl::function).toArray(String[]::new);
    return c.preparedQuery(TRIGGERS).execute(Tuple.tuple().addArrayOfLong(ids).addArrayOfString(functions)).map(rows -> {
      Map<Long, List<InstalledTrigger>> out = new HashMap<>();
      rows.forEach(r -> out.computeIfAbsent(r.getLong("feed"), k -> new ArrayList<>()).add(new InstalledTrigger(
          r.getString("name"), r.getString("schema"), r.getString("table"), r.getBoolean("enabled"))));
      return out;
    });
  }
}
