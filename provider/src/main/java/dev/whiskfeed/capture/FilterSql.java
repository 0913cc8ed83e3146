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
 * A checked row filter as SQL for trigger capture's function: a condition on the columns of the
 * transition table's row, each compared with a literal of the column's base type (the value's text
 * as Postgres printed it when the filter was checked, {@link Sql#literal}); text compares as text
 * under collation {@code "C"}, byte for byte, as WAL capture compares in Java.
 *
 * <p>Naming a column in the writer's statement is safe only while the column exists with the
 * type the filter was checked against, so the function compares the catalog with {@link #guard}
 * once per statement and runs the filtered statement only then: Postgres plans a PL/pgSQL
 * statement when it first runs it, so a statement that names a dropped column is never planned.
 * Otherwise it captures every row (the capture check disables a feed whose filter column is gone).
 */
public final class FilterSql {
  private FilterSql() {}

  /** A column as the filter checked it: its kind and the OID of its declared type (a domain's own). */
  public record ColumnType(String name, FilterType type, long typeOid, String typeName) {}

  /**
   * The predicate over the columns of {@code row} (a transition table's alias): true or false, never NULL.
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
    List<String> checks = new ArrayList<>();
    for (String name : filter.columns()) {
      // one lookup of the unique (attrelid, attname) index per column
      checks.add("(SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE a.attrelid = TG_RELID AND a.attname = "
          + Sql.literal(name) + "::pg_catalog.name AND NOT a.attisdropped) = " + columns.get(name).typeOid()
          + "::pg_catalog.oid");
    }
    return "COALESCE(" + String.join(" AND ", checks) + ", false)";
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
    String column = row + "." + Sql.identifier(c.name());
    if (t.op() == Operator.IS_NULL) {
      // num_nulls: a composite whose fields are all NULL is not NULL itself (IS NULL would say it is)
      return "(pg_catalog.num_nulls(" + column + ") = " + (Boolean.TRUE.equals(t.value()) ? "1)" : "0)");
    }
    if (t.op().pattern()) {
      // char(n) as text drops its trailing spaces, as char(n) compares
      String value = column + "::pg_catalog.text";
      String pattern = Sql.literal((String) t.value());
      if (t.op() == Operator.LIKE) return "(" + value + " COLLATE pg_catalog.\"C\" LIKE " + pattern + ")";
      String collate = unicodeLower ? " COLLATE pg_catalog.pg_c_utf8" : "";
      return "(pg_catalog.lower(" + value + collate + ") LIKE pg_catalog.lower(" + pattern + collate + "))";
    }
    String value = c.type().sqlType() == null ? "(" + column + "::pg_catalog.text COLLATE pg_catalog.\"C\")" : column;
    if (t.op().list()) {
      List<?> values = (List<?>) t.value();
      if (values.isEmpty()) return t.op() == Operator.IN ? "false" : "true";
      String array = values.stream().map(v -> literal(c, v)).collect(Collectors.joining(", ", "ARRAY[", "]"));
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
    return "(" + value + " " + op + " " + literal(c, t.value()) + ")";
  }

  /** A value as a literal of the column's base type (its text as Postgres printed it when the filter was checked). */
  private static String literal(ColumnType c, Object v) {
    String text = Sql.literal(String.valueOf(v));
    return c.type().sqlType() == null ? text : "CAST(" + text + " AS " + c.typeName() + ")";
  }
}
