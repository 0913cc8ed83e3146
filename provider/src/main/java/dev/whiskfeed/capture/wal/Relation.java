package dev.whiskfeed.capture.wal;

import java.util.List;

/**
 * A captured table as the last Relation message described it: its columns in the order of the
 * tuples that follow, each with the way {@code to_jsonb} prints it and its type's OID. A later ALTER TABLE sends a new
 * Relation message, so columns added or dropped mid-stream are seen in order.
 */
record Relation(int oid, String schema, String name, List<String> columns, List<PgType> types,
                List<Integer> typeOids) {
  Relation {
    columns = List.copyOf(columns);
    types = List.copyOf(types);
    typeOids = List.copyOf(typeOids);
    if (columns.size() != types.size()) throw new IllegalArgumentException("a type per column");
    if (!typeOids.isEmpty() && typeOids.size() != columns.size()) throw new IllegalArgumentException("a type OID per column");
  }

  /** A relation whose type OIDs are unknown (row filters then see every column as of no comparable type). */
  Relation(int oid, String schema, String name, List<String> columns, List<PgType> types) {
    this(oid, schema, name, columns, types, List.of());
  }

  /** The OID of column {@code i}'s type as pgoutput sent it (a domain's own), or 0 when unknown. */
  int typeOid(int i) {
    return typeOids.isEmpty() ? 0 : typeOids.get(i);
  }

  int indexOf(String column) {
    return columns.indexOf(column);
  }
}
