package dev.whiskfeed.capture;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL of a backfill chunk, generated from the catalog's spelling of the table and its primary
 * key: the next {@code limit} rows after the last key (keyset pagination, so each chunk is an index
 * range scan and holds no lock beyond the statement's), each with its key as text and its payload
 * exactly as trigger capture prints an INSERT of it ({@link CaptureDdl}: {@code to_jsonb(r.*)} under
 * the same pinned settings, narrowed to {@code payloadColumns}).
 *
 * <p>A filter is one SQL boolean expression over the row alias {@code r}, ANDed into the WHERE
 * clause; this class never sees where it came from. Names appear only as quoted identifiers and
 * escaped literals ({@link Sql}); key values are bound parameters, cast back from text to the key
 * column's type (the text they were read as, under the same settings).
 */
public final class BackfillQuery {
  /** A primary-key column: its name and its type as {@code format_type} prints it (quoted where needed). */
  public record KeyColumn(String name, String type) {}

  private BackfillQuery() {}

  /** {@code SET LOCAL} of {@link CaptureDdl#PAYLOAD_SETTINGS}, one simple query run first in the chunk's transaction. */
  public static String settings() {
    return CaptureDdl.PAYLOAD_SETTINGS.stream().map(s -> "SET LOCAL " + s).collect(Collectors.joining("; "));
  }

  /**
   * The chunk query. Parameters: with {@code after}, {@code $1 … $k} the last key's values as text
   * (k = key columns), then the row limit; without, only the limit. Columns: {@code key} (text[])
   * and {@code payload} (the event payload, jsonb).
   */
  public static String chunk(TableName table, List<KeyColumn> pk, List<String> payloadColumns, String predicate,
                             boolean after) {
    if (pk.isEmpty()) throw new IllegalArgumentException("no primary key");
    String columns = pk.stream().map(k -> "r." + Sql.identifier(k.name())).collect(Collectors.joining(", "));
    StringBuilder b = new StringBuilder("SELECT ARRAY[")
        .append(pk.stream().map(k -> "r." + Sql.identifier(k.name()) + "::pg_catalog.text").collect(Collectors.joining(", ")))
        .append("] AS key,\n       ").append(payload(table, payloadColumns)).append(" AS payload\n")
        .append("FROM ").append(Sql.qualified(table.schema(), table.name())).append(" r\n");
    String limit = "$1";
    String where = null;
    if (after) {
      StringBuilder values = new StringBuilder();
      for (int i = 0; i < pk.size(); i++) {
        if (i > 0) values.append(", ");
        values.append('$').append(i + 1).append("::pg_catalog.text::").append(pk.get(i).type());
      }
      where = "(" + columns + ") > (" + values + ")";
      limit = "$" + (pk.size() + 1);
    }
    if (predicate != null) where = (where == null ? "" : where + " AND ") + "(" + predicate + ")";
    if (where != null) b.append("WHERE ").append(where).append('\n');
    return b.append("ORDER BY ").append(columns).append("\nLIMIT ").append(limit).toString();
  }

  /**
   * The chunk with each row's event id, for reading it into another database: columns {@code key},
   * {@code id} and {@code payload} (jsonb text, carried as is). Parameters: the chunk's, then the
   * run's id prefix and salt ({@link BackfillIds}).
   */
  public static String read(String chunk, int chunkParams) {
    return "SELECT s.key, " + id("s.key", chunkParams + 1) + " AS id, s.payload::pg_catalog.text AS payload\nFROM ("
        + chunk + ") s";
  }

  /**
   * The chunk stored as events by one statement, where the table and the event store are one
   * database (trigger capture; WAL capture of the control database): the rows never leave the
   * server. Parameters: the chunk's, then the run's id prefix and salt, then the feed id. Columns:
   * {@code rows} read, {@code last_key}, {@code stored} (new events). {@code onConflict} as for
   * any event insert: empty, or {@code ON CONFLICT (id) DO NOTHING} for a chunk stored before.
   */
  public static String store(String chunk, int chunkParams, String onConflict, String ring) {
    return "WITH c AS MATERIALIZED (\n"
        + "  SELECT pg_catalog.row_number() OVER () AS ord, s.key, " + id("s.key", chunkParams + 1) + " AS id, s.payload\n"
        + "  FROM (" + chunk + ") s),\n"
        + "ins AS (\n"
        + "  INSERT INTO whiskfeed.events (id, feed_id, op, payload)\n"
        + "  SELECT c.id, $" + (chunkParams + 3) + ", 'BACKFILL', c.payload FROM c ORDER BY c.ord\n"
        + "  " + onConflict + "\n"
        + "  RETURNING 1),\n"
        + ring + "\n"
        + "SELECT (SELECT pg_catalog.count(*) FROM c) AS rows, (SELECT c.key FROM c ORDER BY c.ord DESC LIMIT 1) AS last_key,"
        + " (SELECT pg_catalog.count(*) FROM ins) AS stored";
  }

  /** Parameters of {@link #chunk}: the last key's columns (when after one), then the limit. */
  public static int chunkParams(List<KeyColumn> pk, boolean after) {
    return (after ? pk.size() : 0) + 1;
  }

  /**
   * A row's event id from its key: an RFC 9562 version-8 uuid whose first 32 bits are the run's
   * prefix ({@code $n}, 8 hex digits) and whose other bits come from the MD5 of the run's salt
   * ({@code $n+1}) and the key as a text array literal (unambiguous: Postgres quotes what needs it).
   */
  static String id(String key, int n) {
    String bytes = "pg_catalog.decode($" + n + " || pg_catalog.substr(pg_catalog.md5($" + (n + 1) + " || " + key
        + "::pg_catalog.text), 1, 24), 'hex')";
    return "pg_catalog.encode(pg_catalog.set_byte(pg_catalog.set_byte(" + bytes + ", 6, (pg_catalog.get_byte(" + bytes
        + ", 6) & 15) | 128), 8, (pg_catalog.get_byte(" + bytes + ", 8) & 63) | 128), 'hex')::pg_catalog.uuid";
  }

  /** The rows a backfill will emit, counted at its start. */
  public static String count(TableName table, String predicate) {
    return "SELECT pg_catalog.count(*) AS n FROM " + Sql.qualified(table.schema(), table.name()) + " r"
        + (predicate == null ? "" : " WHERE (" + predicate + ")");
  }

  /**
   * What capture stores for an INSERT of row {@code r}: {@code {"table": {"schema", "name"}, "data":
   * {"old": null, "new": row}}}. With {@code payloadColumns} the row loses the table's other columns,
   * read from the catalog per statement as the capture function does.
   */
  static String payload(TableName table, List<String> payloadColumns) {
    String row = "pg_catalog.to_jsonb(r.*)";
    if (!payloadColumns.isEmpty()) {
      row = "(" + row + " OPERATOR(pg_catalog.-) (SELECT COALESCE(pg_catalog.array_agg(a.attname::pg_catalog.text), "
          + "'{}') FROM pg_catalog.pg_attribute a WHERE a.attrelid = "
          + Sql.literal(Sql.qualified(table.schema(), table.name())) + "::pg_catalog.regclass"
          + " AND a.attnum > 0 AND NOT a.attisdropped AND a.attname::pg_catalog.text <> ALL ("
          + Sql.textArray(payloadColumns) + ")))";
    }
    return "pg_catalog.jsonb_build_object('table', pg_catalog.jsonb_build_object('schema', " + Sql.literal(table.schema())
        + ", 'name', " + Sql.literal(table.name()) + "), 'data', pg_catalog.jsonb_build_object('old', NULL, 'new', "
        + row + "))";
  }
}
