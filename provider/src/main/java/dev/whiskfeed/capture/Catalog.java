package dev.whiskfeed.capture;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  // exact spelling first, then the name SQL would fold an unquoted part to
  private static final String TABLE = """
      SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
             ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
             pg_catalog.has_table_privilege(c.oid, 'TRIGGER') AS can_trigger,
             pg_catalog.pg_has_role(c.relowner, 'USAGE') AS owns,
             current_user::text AS role
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE (n.nspname = $1 AND c.relname = $2) OR (n.nspname = $3 AND c.relname = $4)
      ORDER BY (n.nspname = $1 AND c.relname = $2) DESC
      LIMIT 1""";

  private static final String RIGHTS = """
      SELECT current_user::text AS role, pg_catalog.current_database()::text AS database,
             s.oid IS NOT NULL AS schema_exists,
             COALESCE(pg_catalog.has_schema_privilege(s.oid, 'CREATE, USAGE'), false) AS may_create_in_schema,
             pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE') AS may_create_schema
      FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_namespace s ON s.nspname = 'whiskfeed'""";

  private static final String TRIGGERS = """
      SELECT tg.tgname::text AS name, n.nspname::text AS schema, c.relname::text AS table, tg.tgenabled <> 'D' AS enabled
      FROM pg_catalog.pg_trigger tg
      JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE tg.tgfoid = pg_catalog.to_regprocedure($1)""";

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
    TableName folded = name.folded();
    return c.preparedQuery(TABLE).execute(Tuple.of(name.schema(), name.name(), folded.schema(), folded.name()))
        .map(rows -> {
          var it = rows.iterator();
          if (!it.hasNext()) return Optional.empty();
          Row r = it.next();
          return Optional.of(new Table(r.getString("schema"), r.getString("name"), r.getString("kind"),
              Arrays.asList(r.getArrayOfStrings("columns")), r.getBoolean("can_trigger"), r.getBoolean("owns"),
              r.getString("role")));
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
    return c.preparedQuery(TRIGGERS).execute(Tuple.of(CaptureDdl.function(feedId))).map(rows -> {
      List<InstalledTrigger> out = new ArrayList<>();
      rows.forEach(r -> out.add(new InstalledTrigger(r.getString("name"), r.getString("schema"), r.getString("table"),
          r.getBoolean("enabled"))));
      return out;
    });
  }
}
