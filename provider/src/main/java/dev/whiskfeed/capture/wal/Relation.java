package dev.whiskfeed.capture.wal;

import java.util.List;

/**
 * A captured table as the last Relation message described it: its columns in the order of the
 * tuples that follow, each with the way {@code to_jsonb} prints it. A later ALTER TABLE sends a new
 * Relation message, so columns added or dropped mid-stream are seen in order.
 */
record Relation(int oid, String schema, String name, List<String> columns, List<PgType> types) {
  Relation {
    columns = List.copyOf(columns);
    types = List.copyOf(types);
    if (columns.size() != types.size()) throw new IllegalArgumentException("a type per column");
  }

  int indexOf(String column) {
    return columns.indexOf(column);
  }
}
