package dev.whiskfeed.capture;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.ExactJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A {@code changes} feed's row filter, the {@code where} parameter: a Hasura-style boolean
 * expression over the columns of the row (the new row of an INSERT or UPDATE, the old row of a
 * DELETE). The tree mirrors its JSON: an object is the AND of its entries; an entry is
 * {@code _and} (a list of objects), {@code _or}, {@code _not} (an object) or a column name with an
 * object of operators (ANDed). Logic is SQL's three-valued one; a row matches when the whole
 * expression is true (a comparison with NULL is unknown, and so is its {@code _not}).
 *
 * <p>{@link #parse} checks the form only; {@link FilterCheck} then checks names, operators and
 * values against the table's catalog and gives the stored form, in which column names are spelled
 * as the catalog spells them and each value is the text Postgres reads it as (see
 * docs/changes-feed.md). Trigger capture evaluates the stored form in SQL ({@link FilterSql}), WAL
 * capture in Java ({@code capture.wal.WalFilter}), with the same results.
 */
public final class RowFilter {
  /** At most this many comparisons and list values in one filter, so the capture function stays small. */
  static final int MAX_VALUES = 500;
  static final int MAX_DEPTH = 16;

  /** The comparison operators, by their wire names. */
  public enum Operator {
    EQ("_eq"), NEQ("_neq"), GT("_gt"), GTE("_gte"), LT("_lt"), LTE("_lte"), IN("_in"), NIN("_nin"),
    IS_NULL("_is_null"), LIKE("_like"), ILIKE("_ilike");

    private final String wire;

    Operator(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public boolean ordering() {
      return this == GT || this == GTE || this == LT || this == LTE;
    }

    public boolean list() {
      return this == IN || this == NIN;
    }

    public boolean pattern() {
      return this == LIKE || this == ILIKE;
    }

    static Operator of(String wire) {
      for (Operator op : values()) {
        if (op.wire.equals(wire)) return op;
      }
      return null;
    }
  }

  /** A node of the tree. */
  public sealed interface Node permits Expr, And, Or, Not, Column {}

  /** A JSON object: the AND of its clauses ({@code {}} is true). */
  public record Expr(List<Node> clauses) implements Node {
    public Expr {
      clauses = List.copyOf(clauses);
    }
  }

  /** {@code _and}: true when every part is ({@code []} is true). */
  public record And(List<Expr> parts) implements Node {
    public And {
      parts = List.copyOf(parts);
    }
  }

  /** {@code _or}: true when a part is ({@code []} is false). */
  public record Or(List<Expr> parts) implements Node {
    public Or {
      parts = List.copyOf(parts);
    }
  }

  /** {@code _not}. */
  public record Not(Expr part) implements Node {}

  /** A column's operators, ANDed. */
  public record Column(String name, List<Test> tests) implements Node {
    public Column {
      tests = List.copyOf(tests);
    }
  }

  /**
   * One comparison. {@code value}: a String, a Boolean, or a BigDecimal as the request gave it (a
   * List of those for {@code _in}/{@code _nin}); in the stored form a String or a Boolean (lists
   * of them).
   */
  public record Test(Operator op, Object value) {}

  private final Expr root;

  private RowFilter(Expr root) {
    this.root = root;
  }

  public Expr root() {
    return root;
  }

  /**
   * The filter of a {@code where} parameter, checked for form; null when there is none (absent,
   * null, or {@code {}}). A string is read as JSON text (the CLI passes {@code -p where '…'} that way
   * when it is not valid JSON to it).
   */
  public static RowFilter parse(Object where) {
    if (where == null) return null;
    if (where instanceof String s) {
      if (s.isBlank()) return null;
      try {
        where = ExactJson.value(s);
      } catch (DecodeException e) {
        throw invalid("where must be a JSON object, e.g. {\"status\": {\"_eq\": \"paid\"}}");
      }
      if (where instanceof Map<?, ?> m) where = new JsonObject(cast(m));
    }
    if (!(where instanceof JsonObject o)) throw invalid("where must be a JSON object, e.g. {\"status\": {\"_eq\": \"paid\"}}");
    if (o.isEmpty()) return null;
    int[] budget = {MAX_VALUES};
    return new RowFilter(expr(o, "where", 0, budget));
  }

  /** The filter of a stored config ({@code where} as {@link #toJson()} wrote it), or null. */
  public static RowFilter stored(JsonObject config) {
    return parse(config.getValue("where"));
  }

  /** The column names the filter reads, in order of appearance. */
  public Set<String> columns() {
    Set<String> out = new LinkedHashSet<>();
    collect(root, out);
    return out;
  }

  private static void collect(Node n, Set<String> out) {
    if (n instanceof Expr e) e.clauses().forEach(c -> collect(c, out));
    else if (n instanceof And a) a.parts().forEach(p -> collect(p, out));
    else if (n instanceof Or o) o.parts().forEach(p -> collect(p, out));
    else if (n instanceof Not not) collect(not.part(), out);
    else out.add(((Column) n).name());
  }

  /** The same tree with each column renamed and each test replaced by {@code f(column, test)}. */
  RowFilter map(java.util.function.UnaryOperator<String> rename, BiFunction<String, Test, Test> f) {
    return new RowFilter(mapExpr(root, rename, f));
  }

  private static Expr mapExpr(Expr e, java.util.function.UnaryOperator<String> rename, BiFunction<String, Test, Test> f) {
    List<Node> out = new ArrayList<>();
    for (Node n : e.clauses()) {
      if (n instanceof And a) {
        out.add(new And(a.parts().stream().map(p -> mapExpr(p, rename, f)).toList()));
      } else if (n instanceof Or o) {
        out.add(new Or(o.parts().stream().map(p -> mapExpr(p, rename, f)).toList()));
      } else if (n instanceof Not not) {
        out.add(new Not(mapExpr(not.part(), rename, f)));
      } else if (n instanceof Column c) {
        String name = rename.apply(c.name());
        out.add(new Column(name, c.tests().stream().map(t -> f.apply(name, t)).toList()));
      } else {
        out.add(mapExpr((Expr) n, rename, f));
      }
    }
    return new Expr(out);
  }

  /** The stored form: the request's shape, with the names and values of this tree. */
  public JsonObject toJson() {
    return json(root);
  }

  private static JsonObject json(Expr e) {
    JsonObject o = new JsonObject();
    for (Node n : e.clauses()) {
      if (n instanceof And a) {
        o.put("_and", new JsonArray(a.parts().stream().map(p -> (Object) json(p)).toList()));
      } else if (n instanceof Or or) {
        o.put("_or", new JsonArray(or.parts().stream().map(p -> (Object) json(p)).toList()));
      } else if (n instanceof Not not) {
        o.put("_not", json(not.part()));
      } else {
        Column c = (Column) n;
        JsonObject ops = new JsonObject();
        for (Test t : c.tests()) {
          ops.put(t.op().wire(), t.value() instanceof List<?> l ? new JsonArray(new ArrayList<>(l)) : t.value());
        }
        if (o.containsKey(c.name())) throw invalid("where names column " + c.name() + " twice in one object");
        o.put(c.name(), ops);
      }
    }
    return o;
  }

  private static Expr expr(JsonObject o, String at, int depth, int[] budget) {
    if (depth > MAX_DEPTH) throw invalid("where nests deeper than " + MAX_DEPTH + " levels");
    List<Node> clauses = new ArrayList<>();
    for (Map.Entry<String, Object> entry : o) {
      String key = entry.getKey();
      Object v = entry.getValue();
      String here = at + "." + key;
      switch (key) {
        case "_and" -> clauses.add(new And(list(v, here, depth, budget)));
        case "_or" -> clauses.add(new Or(list(v, here, depth, budget)));
        case "_not" -> {
          if (!(v instanceof JsonObject inner)) throw invalid(here + " must be an object");
          clauses.add(new Not(expr(inner, here, depth + 1, budget)));
        }
        default -> {
          if (key.startsWith("_")) {
            throw invalid(here + ": unknown operator " + key + " (an expression takes _and, _or, _not or a column name)");
          }
          if (key.isEmpty()) throw invalid(at + " has an empty column name");
          clauses.add(column(key, v, here, budget));
        }
      }
    }
    return new Expr(clauses);
  }

  private static List<Expr> list(Object v, String at, int depth, int[] budget) {
    if (!(v instanceof JsonArray a)) throw invalid(at + " must be an array of objects");
    List<Expr> out = new ArrayList<>();
    for (Object item : a) {
      if (!(item instanceof JsonObject inner)) throw invalid(at + " must be an array of objects");
      out.add(expr(inner, at, depth + 1, budget));
    }
    return out;
  }

  private static Column column(String name, Object v, String at, int[] budget) {
    if (!(v instanceof JsonObject ops) || ops.isEmpty()) {
      throw invalid(at + " must be an object of operators, e.g. {\"_eq\": \"paid\"}");
    }
    List<Test> tests = new ArrayList<>();
    for (Map.Entry<String, Object> entry : ops) {
      Operator op = Operator.of(entry.getKey());
      if (op == null) {
        throw invalid(at + ": unknown operator " + entry.getKey()
            + " (one of _eq _neq _gt _gte _lt _lte _in _nin _is_null _like _ilike)");
      }
      tests.add(new Test(op, value(op, entry.getValue(), at + "." + op.wire(), budget)));
    }
    return new Column(name, tests);
  }

  private static Object value(Operator op, Object v, String at, int[] budget) {
    if (--budget[0] < 0) throw invalid("where has more than " + MAX_VALUES + " values");
    if (op == Operator.IS_NULL) {
      if (!(v instanceof Boolean)) throw invalid(at + " must be true or false");
      return v;
    }
    if (op.list()) {
      if (!(v instanceof JsonArray a)) throw invalid(at + " must be an array of values");
      List<Object> out = new ArrayList<>();
      for (Object item : a) {
        if (--budget[0] < 0) throw invalid("where has more than " + MAX_VALUES + " values");
        out.add(scalar(item, at));
      }
      return out;
    }
    Object s = scalar(v, at);
    if (op.pattern() && !(s instanceof String)) throw invalid(at + " must be a string pattern");
    return s;
  }

  private static Object scalar(Object v, String at) {
    if (v == null) throw invalid(at + " must not be null (test for NULL with _is_null)");
    if (v instanceof String || v instanceof Boolean || v instanceof BigDecimal) return v;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof BigInteger) {
      return new BigDecimal(v.toString());
    }
    if (v instanceof Double || v instanceof Float) return new BigDecimal(v.toString());
    throw invalid(at + " must be a string, a number or a boolean");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  static WhiskfeedException invalid(String message) {
    return WhiskfeedException.invalid(message);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RowFilter f && f.root.equals(root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
