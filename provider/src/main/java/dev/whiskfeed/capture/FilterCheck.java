package dev.whiskfeed.capture;

import dev.whiskfeed.capture.FilterSql.ColumnType;
import dev.whiskfeed.capture.RowFilter.Operator;
import dev.whiskfeed.capture.RowFilter.Test;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a row filter against its table's catalog, at CREATE and UPDATE: every column exists, every
 * operator applies to its column's type, every value is of that type. Gives the stored form:
 * columns as the catalog spells them (an exact name first, then as SQL folds an unquoted one),
 * and each value as Postgres reads it, printed as {@code to_jsonb} prints it ({@code "100"},
 * {@code "2026-01-01T10:00:00+00:00"}), so both capture modes compare against the same value and
 * READ shows what is applied. Values reach Postgres as bound parameters only.
 */
final class FilterCheck {
  /** Casts {@code text} to the type named {@code typeName} (from the catalog) and prints it as to_jsonb does. */
  interface Caster {
    Future<String> cast(String text, String typeName);
  }

  private FilterCheck() {}

  /** The columns the filter reads, resolved; 400 naming the first unknown one. */
  static Map<String, ColumnType> columns(RowFilter filter, Map<String, ColumnType> table, String tableName) {
    Map<String, ColumnType> out = new LinkedHashMap<>();
    for (String name : filter.columns()) {
      ColumnType c = resolve(table, name);
      if (c == null) throw WhiskfeedException.invalid("where: table " + tableName + " has no column " + name);
      out.put(name, c);
    }
    return out;
  }

  static ColumnType resolve(Map<String, ColumnType> table, String name) {
    ColumnType c = table.get(name);
    return c != null ? c : table.get(name.toLowerCase(Locale.ROOT));
  }

  /** The stored form of {@code filter}, or a failed future with a 400 naming what is wrong. */
  static Future<RowFilter> check(RowFilter filter, Map<String, ColumnType> table, String tableName, Caster caster) {
    Map<String, ColumnType> named = columns(filter, table, tableName);
    Map<String, String> casts = new LinkedHashMap<>();
    // the form and kinds first, so a bad operator is reported before any value is cast
    filter.map(n -> n, (name, t) -> {
      ColumnType c = named.get(name);
      String at = "where." + name + "." + t.op().wire();
      if (!c.type().allows(t.op())) {
        throw WhiskfeedException.invalid(at + ": " + t.op().wire() + " applies to " + FilterType.allowedTypes(t.op())
            + "; column " + c.name() + " is " + c.typeName());
      }
      if (t.op() == Operator.IS_NULL) return t;
      for (Object v : values(t)) {
        checkKind(c, v, at);
        if (t.op().pattern()) checkPattern((String) v, at);
        if (c.type().castsValues()) casts.put(key(c, text(v)), null);
      }
      return t;
    });
    Future<Void> chain = Future.succeededFuture();
    for (String key : List.copyOf(casts.keySet())) {
      int split = key.indexOf('\0');
      String typeName = key.substring(0, split);
      String text = key.substring(split + 1);
      chain = chain.compose(v -> caster.cast(text, typeName).map(canonical -> {
        casts.put(key, canonical);
        return null;
      }));
    }
    return chain.map(v -> filter.map(n -> named.get(n).name(), (name, t) -> stored(named.get(name), t, casts)));
  }

  private static Test stored(ColumnType c, Test t, Map<String, String> casts) {
    if (t.op() == Operator.IS_NULL) return t;
    if (t.op().list()) {
      List<Object> out = new ArrayList<>();
      for (Object v : (List<?>) t.value()) out.add(storedValue(c, v, casts));
      return new Test(t.op(), out);
    }
    return new Test(t.op(), storedValue(c, t.value(), casts));
  }

  private static Object storedValue(ColumnType c, Object v, Map<String, String> casts) {
    if (c.type() == FilterType.BOOL) return v;
    return c.type().castsValues() ? casts.get(key(c, text(v))) : v;
  }

  private static List<?> values(Test t) {
    return t.value() instanceof List<?> l ? l : List.of(t.value());
  }

  private static void checkKind(ColumnType c, Object v, String at) {
    switch (c.type()) {
      case BOOL -> {
        if (!(v instanceof Boolean)) throw WhiskfeedException.invalid(at + ": column " + c.name() + " is boolean: give true or false");
      }
      case TEXT, CHAR, ENUM, UUID, DATE, TIME, TIMESTAMP, TIMESTAMPTZ -> {
        if (!(v instanceof String)) throw WhiskfeedException.invalid(at + ": column " + c.name() + " is " + c.typeName()
            + ": give a string");
      }
      case NUMBER -> {
        if (!(v instanceof String) && !(v instanceof BigDecimal)) {
          throw WhiskfeedException.invalid(at + ": column " + c.name() + " is " + c.typeName() + ": give a number");
        }
      }
      case OTHER -> throw new IllegalStateException("no value compares with " + c.typeName());
    }
  }

  /** Postgres' LIKE takes a backslash as its escape character; a pattern ending in one is an error there. */
  static void checkPattern(String pattern, String at) {
    for (int i = 0; i < pattern.length(); i++) {
      if (pattern.charAt(i) == '\\') {
        if (i + 1 == pattern.length()) {
          throw WhiskfeedException.invalid(at + ": the pattern ends with the escape character \\ (write \\\\ for a backslash)");
        }
        i++;
      }
    }
  }

  private static String text(Object v) {
    return v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v);
  }

  private static String key(ColumnType c, String text) {
    return c.typeName() + '\0' + text;
  }

  /** For tests and callers that hold the catalog's answer as a list. */
  static Map<String, ColumnType> byName(List<ColumnType> columns) {
    Map<String, ColumnType> out = new HashMap<>();
    for (ColumnType c : columns) out.put(c.name(), c);
    return out;
  }
}
