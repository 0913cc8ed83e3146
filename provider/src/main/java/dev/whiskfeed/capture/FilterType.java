package dev.whiskfeed.capture;

import dev.whiskfeed.capture.RowFilter.Operator;

/**
 * How a row filter compares a column, by the column's base type (a domain's base type; an enum's
 * labels): the operators it allows and the SQL type both capture modes compare it as. Ordering
 * applies where both modes order alike whatever the database's collation: numbers, date/time,
 * boolean and uuid. Text compares for equality and patterns only, byte for byte (collation
 * {@code "C"}), so a case-insensitive collation cannot make the modes disagree.
 */
public enum FilterType {
  /** int2, int4, int8, numeric, float4, float8: compared as numeric (NaN above every number, -0 = 0). */
  NUMBER("pg_catalog.numeric"),
  DATE("pg_catalog.date"),
  TIME("pg_catalog.time"),
  TIMESTAMP("pg_catalog.timestamp"),
  TIMESTAMPTZ("pg_catalog.timestamptz"),
  BOOL("pg_catalog.bool"),
  UUID("pg_catalog.uuid"),
  /** text, varchar. */
  TEXT(null),
  /** character(n): trailing spaces do not count, as {@code bpchar} compares. */
  CHAR(null),
  /** An enum: equality of labels. */
  ENUM(null),
  /** Every other type: {@code _is_null} only. */
  OTHER(null);

  private final String sqlType;

  FilterType(String sqlType) {
    this.sqlType = sqlType;
  }

  /** The type a value is cast to for comparing in SQL; null for the kinds compared as text. */
  public String sqlType() {
    return sqlType;
  }

  /** The kind of a column whose base type has OID {@code baseOid}. */
  public static FilterType of(long baseOid, boolean isEnum) {
    if (isEnum) return ENUM;
    return switch ((int) baseOid) {
      case 20, 21, 23, 700, 701, 1700 -> NUMBER;
      case 1082 -> DATE;
      case 1083 -> TIME;
      case 1114 -> TIMESTAMP;
      case 1184 -> TIMESTAMPTZ;
      case 16 -> BOOL;
      case 2950 -> UUID;
      case 25, 1043 -> TEXT;
      case 1042 -> CHAR;
      default -> OTHER;
    };
  }

  public boolean allows(Operator op) {
    if (op == Operator.IS_NULL) return true;
    if (this == OTHER) return false;
    if (op.pattern()) return this == TEXT || this == CHAR;
    if (op.ordering()) return sqlType != null;
    return true;
  }

  /** Whether values are given as JSON booleans (else as strings or numbers). */
  public boolean booleanValues() {
    return this == BOOL;
  }

  /** Whether a value is checked and normalized by Postgres (cast to the column's type) at CREATE and UPDATE. */
  public boolean castsValues() {
    return this != TEXT && this != CHAR && this != BOOL && this != OTHER;
  }

  /** What the operator applies to, for messages. */
  public static String allowedTypes(Operator op) {
    if (op.pattern()) return "text, varchar and char columns";
    if (op.ordering()) return "numeric, date/time, boolean and uuid columns (not text: collations differ)";
    return "numeric, date/time, boolean, uuid, text, varchar, char and enum columns";
  }
}
