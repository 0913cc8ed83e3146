package dev.whiskfeed.capture.wal;

import dev.whiskfeed.capture.FilterType;
import dev.whiskfeed.capture.RowFilter;
import dev.whiskfeed.capture.RowFilter.And;
import dev.whiskfeed.capture.RowFilter.Column;
import dev.whiskfeed.capture.RowFilter.Expr;
import dev.whiskfeed.capture.RowFilter.Node;
import dev.whiskfeed.capture.RowFilter.Not;
import dev.whiskfeed.capture.RowFilter.Operator;
import dev.whiskfeed.capture.RowFilter.Test;
import java.util.ArrayList;
import java.util.List;

/**
 * A row filter bound to the columns of one relation, evaluated in Java on decoded rows with the
 * results trigger capture's SQL gives ({@code capture/FilterSql}): SQL's three-valued logic,
 * numeric order for numbers, instants for timestamptz, text byte for byte, Postgres' LIKE (a
 * backslash escapes, {@code _} is one character) and, for {@code _ilike}, Unicode simple
 * lowercase mapping of both sides.
 *
 * <p>When the filter cannot be bound (a column it reads is gone, or now of a type its operator
 * does not apply to), it takes every row: a change is never dropped for a filter that no longer
 * fits its table (the capture check disables a feed whose filter column is gone).
 */
final class WalFilter {
  /** The kind of column {@code i} of the relation. */
  interface Types {
    FilterType of(int column) throws Exception;
  }

  private interface Eval {
    /** TRUE, FALSE, or null for unknown. */
    Boolean eval(String[] row);
  }

  private final RowFilter filter;
  private final Relation relation;
  private final Eval root;

  private WalFilter(RowFilter filter, Relation relation, Eval root) {
    this.filter = filter;
    this.relation = relation;
    this.root = root;
  }

  static WalFilter bind(RowFilter filter, Relation rel, Types types) throws Exception {
    Eval root;
    try {
      root = expr(filter.root(), rel, types);
    } catch (Unbindable e) {
      root = null;
    }
    return new WalFilter(filter, rel, root);
  }

  /** Whether this binding is for {@code f} on {@code rel} (bindings are rebuilt when either changes). */
  boolean boundTo(RowFilter f, Relation rel) {
    return filter == f && relation == rel;
  }

  /** Whether the filter applies (false when it took every row for want of its columns). */
  boolean bound() {
    return root != null;
  }

  boolean matches(String[] row) {
    if (root == null) return true;
    try {
      return Boolean.TRUE.equals(root.eval(row));
    } catch (RuntimeException e) {
      return true; // a value it cannot read: never drop the change
    }
  }

  private static final class Unbindable extends Exception {
    Unbindable() {
      super(null, null, false, false);
    }
  }

  private static Eval expr(Node n, Relation rel, Types types) throws Exception {
    if (n instanceof Expr e) return all(nodes(e.clauses(), rel, types));
    if (n instanceof And a) return all(exprs(a.parts(), rel, types));
    if (n instanceof RowFilter.Or o) return any(exprs(o.parts(), rel, types));
    if (n instanceof Not not) {
      Eval inner = expr(not.part(), rel, types);
      return row -> {
        Boolean b = inner.eval(row);
        return b == null ? null : !b;
      };
    }
    Column c = (Column) n;
    int index = rel.indexOf(c.name());
    if (index < 0) throw new Unbindable();
    FilterType type = types.of(index);
    List<Eval> tests = new ArrayList<>();
    for (Test t : c.tests()) tests.add(test(index, type, t));
    return all(tests);
  }

  private static List<Eval> nodes(List<Node> nodes, Relation rel, Types types) throws Exception {
    List<Eval> out = new ArrayList<>();
    for (Node n : nodes) out.add(expr(n, rel, types));
    return out;
  }

  private static List<Eval> exprs(List<Expr> exprs, Relation rel, Types types) throws Exception {
    List<Eval> out = new ArrayList<>();
    for (Expr e : exprs) out.add(expr(e, rel, types));
    return out;
  }

  /** SQL's AND: false wins, then unknown. */
  private static Eval all(List<Eval> parts) {
    if (parts.size() == 1) return parts.get(0);
    return row -> {
      Boolean out = Boolean.TRUE;
      for (Eval p : parts) {
        Boolean b = p.eval(row);
        if (b == null) out = null;
        else if (!b) return Boolean.FALSE;
      }
      return out;
    };
  }

  /** SQL's OR: true wins, then unknown; no parts is false. */
  private static Eval any(List<Eval> parts) {
    return row -> {
      Boolean out = Boolean.FALSE;
      for (Eval p : parts) {
        Boolean b = p.eval(row);
        if (b == null) out = null;
        else if (b) return Boolean.TRUE;
      }
      return out;
    };
  }

  private static Eval test(int index, FilterType type, Test t) throws Unbindable {
    if (!type.allows(t.op())) throw new Unbindable();
    Operator op = t.op();
    if (op == Operator.IS_NULL) {
      boolean wantNull = Boolean.TRUE.equals(t.value());
      return row -> (text(row, index) == null) == wantNull;
    }
    if (op.pattern()) {
      boolean fold = op == Operator.ILIKE;
      int[] pattern = Like.compile((String) t.value(), fold);
      return row -> {
        String text = text(row, index);
        if (text == null) return null;
        return Like.matches(type == FilterType.CHAR ? FilterValues.rtrim(text) : text, pattern, fold);
      };
    }
    if (op.list()) {
      List<Comparable<?>> keys = new ArrayList<>();
      for (Object v : (List<?>) t.value()) keys.add(key(type, v));
      boolean in = op == Operator.IN;
      if (keys.isEmpty()) return row -> !in; // = ANY('{}') is false, <> ALL('{}') true, even for NULL
      return row -> {
        String text = text(row, index);
        if (text == null) return null;
        Comparable<?> k = FilterValues.key(type, text);
        for (Comparable<?> v : keys) {
          if (compare(k, v) == 0) return in;
        }
        return !in;
      };
    }
    Comparable<?> value = key(type, t.value());
    return row -> {
      String text = text(row, index);
      if (text == null) return null;
      int c = compare(FilterValues.key(type, text), value);
      return switch (op) {
        case EQ -> c == 0;
        case NEQ -> c != 0;
        case GT -> c > 0;
        case GTE -> c >= 0;
        case LT -> c < 0;
        case LTE -> c <= 0;
        default -> throw new IllegalStateException("not a comparison: " + op);
      };
    };
  }

  private static Comparable<?> key(FilterType type, Object stored) throws Unbindable {
    try {
      return FilterValues.key(type, stored);
    } catch (RuntimeException e) {
      throw new Unbindable();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Comparable a, Comparable b) {
    return a.compareTo(b);
  }

  private static String text(String[] row, int index) {
    return index < row.length ? row[index] : null;
  }

  /**
   * Postgres' LIKE on code points: {@code %} matches any run, {@code _} one character, a backslash
   * makes the next character literal. A pattern compiles to code points, with {@link #ANY_RUN} and
   * {@link #ANY_ONE} for the wildcards.
   */
  static final class Like {
    static final int ANY_RUN = -1;
    static final int ANY_ONE = -2;

    private Like() {}

    static int[] compile(String pattern, boolean fold) {
      int[] cps = pattern.codePoints().toArray();
      int[] out = new int[cps.length];
      int n = 0;
      for (int i = 0; i < cps.length; i++) {
        int cp = cps[i];
        if (cp == '\\' && i + 1 < cps.length) {
          out[n++] = fold ? Character.toLowerCase(cps[++i]) : cps[++i];
        } else if (cp == '%') {
          out[n++] = ANY_RUN;
        } else if (cp == '_') {
          out[n++] = ANY_ONE;
        } else {
          out[n++] = fold ? Character.toLowerCase(cp) : cp;
        }
      }
      return java.util.Arrays.copyOf(out, n);
    }

    static boolean matches(String text, int[] p, boolean fold) {
      int[] s = text.codePoints().toArray();
      if (fold) {
        for (int i = 0; i < s.length; i++) s[i] = Character.toLowerCase(s[i]);
      }
      int si = 0;
      int pi = 0;
      int starP = -1;
      int starS = 0;
      while (si < s.length) {
        if (pi < p.length && p[pi] == ANY_RUN) {
          starP = pi++;
          starS = si;
        } else if (pi < p.length && (p[pi] == ANY_ONE || p[pi] == s[si])) {
          pi++;
          si++;
        } else if (starP >= 0) {
          pi = starP + 1;
          si = ++starS;
        } else {
          return false;
        }
      }
      while (pi < p.length && p[pi] == ANY_RUN) pi++;
      return pi == p.length;
    }
  }
}
