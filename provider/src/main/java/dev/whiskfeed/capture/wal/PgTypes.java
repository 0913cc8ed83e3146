package dev.whiskfeed.capture.wal;

import dev.whiskfeed.capture.FilterType;
import dev.whiskfeed.error.WhiskfeedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a type OID to its {@link PgType} from a database's catalog, following Postgres'
 * {@code json_categorize_type}: a domain is its base type; then bool, the numbers, date,
 * timestamp(tz), json(b) by OID; then a true array (an element type and variable length); then a
 * composite; everything else prints as a string.
 *
 * <p>Blocking JDBC on purpose: it runs on the replication thread, which owns the connection. Not
 * thread-safe. Answers are cached per OID; {@link #clear()} forgets them when the catalog may have
 * changed (a composite gained an attribute), e.g. on each pgoutput Relation message.
 */
public final class PgTypes implements ChangeAssembler.Types {
  /** Postgres' FirstNormalObjectId: OIDs below it are built in. */
  private static final long FIRST_NORMAL_OID = 16384;
  private static final Map<Long, PgType> BUILTIN = builtins();
  private static final long INT2VECTOR = 22;
  private static final long OIDVECTOR = 30;

  private static final String TYPE = """
      SELECT t.typname::text AS name, t.typtype::text AS typtype, t.typlen, t.typelem::bigint AS elem,
             t.typbasetype::bigint AS base, t.typrelid::bigint AS relid, e.typdelim::text AS elem_delim,
             EXISTS (SELECT 1 FROM pg_catalog.pg_cast c
                      WHERE c.castsource = t.oid AND c.casttarget = 'pg_catalog.json'::pg_catalog.regtype
                        AND c.castmethod = 'f') AS json_cast
        FROM pg_catalog.pg_type t
        LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
       WHERE t.oid = ?::bigint::pg_catalog.oid""";

  private static final String ATTRIBUTES = """
      SELECT a.attname::text AS name, a.atttypid::bigint AS type
        FROM pg_catalog.pg_attribute a
       WHERE a.attrelid = ?::bigint::pg_catalog.oid AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum""";

  private static final String FILTER_TYPE = """
      WITH RECURSIVE d(typ) AS (
        SELECT ?::bigint::pg_catalog.oid
        UNION ALL
        SELECT t.typbasetype FROM pg_catalog.pg_type t JOIN d ON t.oid = d.typ WHERE t.typtype = 'd')
      SELECT d.typ::bigint AS base, t.typtype = 'e' AS is_enum
        FROM d JOIN pg_catalog.pg_type t ON t.oid = d.typ
       WHERE t.typtype <> 'd'""";

  private final Connection connection;
  private final Map<Long, PgType> cache = new HashMap<>();
  private final Map<Long, FilterType> filterTypes = new HashMap<>();

  public PgTypes(Connection connection) {
    this.connection = connection;
  }

  /**
   * The type of OID {@code oid} (unsigned, as pgoutput sends it).
   *
   * @throws WhiskfeedException when the type is unknown, or is not built in and has a cast to json:
   *     to_jsonb calls that cast, whose result cannot be derived from the text output
   * @throws SQLException when the catalog cannot be read
   */
  @Override
  public PgType resolve(int oid) throws SQLException {
    return resolve(Integer.toUnsignedLong(oid));
  }

  /** Forgets every answer, for when types may have changed. */
  @Override
  public void clear() {
    cache.clear();
    filterTypes.clear();
  }

  /** How a row filter compares a column of type {@code oid}: by its base type, through any domains. */
  @Override
  public FilterType filterType(int oid) throws SQLException {
    long id = Integer.toUnsignedLong(oid);
    if (id < FIRST_NORMAL_OID) return FilterType.of(id, false);
    FilterType known = filterTypes.get(id);
    if (known != null) return known;
    FilterType type = FilterType.OTHER;
    try (PreparedStatement statement = connection.prepareStatement(FILTER_TYPE)) {
      statement.setLong(1, id);
      try (ResultSet row = statement.executeQuery()) {
        if (row.next()) type = FilterType.of(row.getLong("base"), row.getBoolean("is_enum"));
      }
    }
    filterTypes.put(id, type);
    return type;
  }

  private PgType resolve(long oid) throws SQLException {
    PgType known = BUILTIN.get(oid);
    if (known == null) known = cache.get(oid);
    if (known != null) return known;
    PgType type = lookUp(oid);
    cache.put(oid, type);
    return type;
  }

  private PgType lookUp(long oid) throws SQLException {
    if (oid == INT2VECTOR || oid == OIDVECTOR) {
      // arrays to to_jsonb, but their text is "1 2 3", not an array literal; catalog-only types
      throw WhiskfeedException.invalid("type " + (oid == INT2VECTOR ? "int2vector" : "oidvector")
          + " is not supported by WAL capture; use trigger capture");
    }
    try (PreparedStatement statement = connection.prepareStatement(TYPE)) {
      statement.setLong(1, oid);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) throw WhiskfeedException.invalid("type " + oid + " does not exist");
        return categorize(oid, row);
      }
    }
  }

  private PgType categorize(long oid, ResultSet row) throws SQLException {
    String typtype = row.getString("typtype");
    if (typtype.equals("d")) return resolve(row.getLong("base"));
    long element = row.getLong("elem");
    if (element != 0 && row.getInt("typlen") == -1) {
      String delimiter = row.getString("elem_delim");
      return new PgType.Array(resolve(element), delimiter == null || delimiter.isEmpty() ? ',' : delimiter.charAt(0));
    }
    if (typtype.equals("c")) return new PgType.Composite(fields(row.getLong("relid")));
    if (oid >= FIRST_NORMAL_OID && row.getBoolean("json_cast")) {
      throw WhiskfeedException.invalid("type " + row.getString("name") + " has a cast to json, which to_jsonb "
          + "applies and WAL capture cannot reproduce from the value's text; use trigger capture");
    }
    return PgType.STRING;
  }

  private List<PgType.Field> fields(long relid) throws SQLException {
    List<Long> types = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(ATTRIBUTES)) {
      statement.setLong(1, relid);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          names.add(rows.getString("name"));
          types.add(rows.getLong("type"));
        }
      }
    }
    // resolved after the result set is closed: resolving may query again
    List<PgType.Field> fields = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) fields.add(new PgType.Field(names.get(i), resolve(types.get(i).longValue())));
    return fields;
  }

  /** The built-in types that need no query: json_categorize_type's own, their arrays, and common strings. */
  private static Map<Long, PgType> builtins() {
    Map<Long, PgType> m = new HashMap<>();
    scalar(m, PgType.BOOL, 16, 1000);
    scalar(m, PgType.NUMBER, 21, 1005, 23, 1007, 20, 1016, 700, 1021, 701, 1022, 1700, 1231);
    scalar(m, PgType.JSON, 114, 199, 3802, 3807);
    scalar(m, PgType.DATE, 1082, 1182);
    scalar(m, PgType.TIME, 1083, 1183);
    scalar(m, PgType.TIMETZ, 1266, 1270);
    scalar(m, PgType.TIMESTAMP, 1114, 1115);
    scalar(m, PgType.TIMESTAMPTZ, 1184, 1185);
    // text, varchar, bpchar, name, uuid, bytea, interval, inet, cidr, char
    scalar(m, PgType.STRING, 25, 1009, 1043, 1015, 1042, 1014, 19, 1003, 2950, 2951, 17, 1001, 1186, 1187, 869, 1041,
        650, 651, 18, 1002);
    return Map.copyOf(m);
  }

  /** Puts {@code type} for each scalar OID and an array of it (delimiter ',') for each array OID that follows. */
  private static void scalar(Map<Long, PgType> m, PgType type, int... scalarThenArray) {
    for (int i = 0; i < scalarThenArray.length; i += 2) {
      m.put((long) scalarThenArray[i], type);
      m.put((long) scalarThenArray[i + 1], new PgType.Array(type, ','));
    }
  }
}
