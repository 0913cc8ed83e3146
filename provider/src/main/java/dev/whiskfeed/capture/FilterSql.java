package dev.whiskfeed.capture;

import dev.whiskfeed.capture.RowFilter.And;
import dev.whiskfeed.capture.RowFilter.Column;
import dev.whiskfeed.capture.RowFilter.Expr;
import dev.whiskfeed.capture.RowFilter.Node;
import dev.whiskfeed.capture.RowFilter.Not;
import dev.whiskfeed.capture.RowFilter.Or;
import dev.whiskfeed.capture.RowFilter.Operator;
import dev.whiskfeed.capture.RowFilter.Test;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A checked row filter as SQL for trigger capture's function. Like the rest of that function it
 * never names a column: each value is read from the row's jsonb ({@code to_jsonb(r.*)}, which
 * the payload needs anyway) and cast back to the type it compares as, so a dropped column cannot
 * break the writer's statement. Values are literals of their stored text, cast to their type
 * ({@link Sql#literal}); text compares under collation {@code "C"}, byte for byte, as WAL capture
 * compares in Java.
 *
 * <p>The casts are safe only while each column still has the type the filter was checked
 * against, so the function first compares the catalog with {@link #guard} once per statement;
 * when a column was dropped or changed type, the filter is not applied and every row is captured
 * (the capture check disables a feed whose filter column is gone).
 */
public final class FilterSql {
  private FilterSql() {}

  /** A column as the filter checked it: its kind and the OID of its declared type (a domain's own). */
  public record ColumnType(String name, FilterType type, long typeOid, String typeName) {}

  /**
   * The predicate over the jsonb {@code row} ({@code x.j}): true or false, never NULL.
   *
   * @param unicodeLower whether {@code _ilike} can fold case with the {@code pg_c_utf8} collation
   *     (Postgres 17 or newer, a UTF8 database), as WAL capture folds it; else the database's default
   */
  public static String predicate(RowFilter filter, Map<String, ColumnType> columns, String row, boolean unicodeLower) {
    return "COALESCE(" + expr(filter.root(), columns, row, unicodeLower) + ", false)";
  }

  /**
   * True when every column the filter reads still exists with the type it was checked against,
   * read from the catalog of the trigger's table ({@code TG_RELID}).
   */
  public static String guard(RowFilter filter, Map<String, ColumnType> columns) {
    List<String> pairs = new ArrayList<>();
    for (String name : filter.columns()) {
      pairs.add("(" + Sql.literal(name) + ", " + columns.get(name).typeOid() + ")");
    }
    return "(SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0"
        + " AND NOT a.attisdropped AND (a.attname::text, a.atttypid::bigint) IN (" + String.join(", ", pairs) + ")) = "
        + pairs.size();
  }

  private static String expr(Node n, Map<String, ColumnType> columns, String row, boolean unicodeLower) {
    if (n instanceof Expr e) {
      return join(e.clauses().stream().map(c -> expr(c, columns, row, unicodeLower)).toList(), "AND", "true");
    }
    if (n instanceof And a) {
      return join(a.parts().stream().map(p -> expr(p, columns, row, unicodeLower)).toList(), "AND", "true");
    }
    if (n instanceof Or o) {
      return join(o.parts().stream().map(p -> expr(p, columns, row, unicodeLower)).toList(), "OR", "false");
    }
    if (n instanceof Not not) return "(NOT " + expr(not.part(), columns, row, unicodeLower) + ")";
    Column c = (Column) n;
    return join(c.tests().stream().map(t -> test(columns.get(c.name()), t, row, unicodeLower)).toList(), "AND", "true");
  }

  private static String join(List<String> parts, String op, String empty) {
    if (parts.isEmpty()) return empty;
    if (parts.size() == 1) return parts.get(0);
    return parts.stream().collect(Collectors.joining(" " + op + " ", "(", ")"));
  }

  private static String test(ColumnType c, Test t, String row, boolean unicodeLower) {
    String text = "(" + row + " OPERATOR(pg_catalog.->>) " + Sql.literal(c.name()) + ")";
    if (t.op() == Operator.IS_NULL) return "(" + text + (Boolean.TRUE.equals(t.value()) ? " IS NULL)" : " IS NOT NULL)");
    if (t.op().pattern()) {
      String value = c.type() == FilterType.CHAR ? "pg_catalog.rtrim(" + text + ", ' ')" : text;
      String pattern = Sql.literal((String) t.value());
      if (t.op() == Operator.LIKE) return "(" + value + " COLLATE pg_catalog.\"C\" LIKE " + pattern + ")";
      String collate = unicodeLower ? " COLLATE pg_catalog.pg_c_utf8" : "";
      return "(pg_catalog.lower(" + value + collate + ") LIKE pg_catalog.lower(" + pattern + collate + "))";
    }
    String value = value(c.type(), text);
    if (t.op().list()) {
      List<?> values = (List<?>) t.value();
      if (values.isEmpty()) return t.op() == Operator.IN ? "false" : "true";
      String array = values.stream().map(v -> literal(c.type(), v)).collect(Collectors.joining(", ", "ARRAY[", "]"));
      return "(" + value + (t.op() == Operator.IN ? " = ANY (" : " <> ALL (") + array + "))";
    }
    String op = switch (t.op()) {
      case EQ -> "=";
      case NEQ -> "<>";
      case GT -> ">";
      case GTE -> ">=";
      case LT -> "<";
      case LTE -> "<=";
      default -> throw new IllegalStateException("not a comparison: " + t.op());
    };
    return "(" + value + " " + op + " " + literal(c.type(), t.value()) + ")";
  }

  private static String value(FilterType type, String text) {
    return switch (type) {
      case TEXT, ENUM -> "(" + text + " COLLATE pg_catalog.\"C\")";
      case CHAR -> "(pg_catalog.rtrim(" + text + ", ' ') COLLATE pg_catalog.\"C\")";
      case OTHER -> throw new IllegalStateException("no comparison on this type");
      default -> "CAST(" + text + " AS " + type.sqlType() + ")";
    };
  }

  private static String literal(FilterType type, Object v) {
    String text = Sql.literal(String.valueOf(v));
    return type.sqlType() == null ? text : "CAST(" + text + " AS " + type.sqlType() + ")";
  }
}
