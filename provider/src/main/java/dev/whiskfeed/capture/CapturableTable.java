package dev.whiskfeed.capture;

import dev.whiskfeed.capture.ChangesParams.Capture;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a table, as the catalog describes it, can be captured in a capture mode, and the
 * catalog's spelling of the columns a feed names: pure checks on a {@link Catalog.Table}, with the
 * answers a user reads when it cannot.
 */
final class CapturableTable {
  private static final String WHISKFEED = "whiskfeed";

  private CapturableTable() {}

  /**
   * The table the feed names, checked: it exists, is a table, has the named columns, and the
   * provider's role owns it (to set its replica identity, or drop the capture trigger again) and,
   * for trigger capture, may create triggers on it.
   */
  static Catalog.Table check(ChangesParams p, Catalog.Table t, Capture capture) {
    if (t == null) throw WhiskfeedException.invalid("table " + p.table().display() + " does not exist");
    if (reservedSchema(t.schema())) {
      throw WhiskfeedException.invalid("table " + t.tableName().display() + " cannot be captured: schema "
          + Sql.displayIdentifier(t.schema()) + " belongs to " + (t.schema().equals(WHISKFEED) ? "whiskfeed" : "Postgres"));
    }
    if (!t.isTable()) {
      throw WhiskfeedException.invalid(t.tableName().display() + " is " + kindName(t.kind()) + ", not a table");
    }
    if (capture == Capture.TRIGGER && !t.canTrigger()) {
      throw new WhiskfeedException(ErrorCode.FORBIDDEN, "whiskfeed's database role " + t.role()
          + " lacks the TRIGGER privilege on table " + t.tableName().display()
          + ", needed to create the capture trigger (GRANT TRIGGER ON " + t.tableName().display() + " TO "
          + Sql.displayIdentifier(t.role()) + ")");
    }
    if (!t.owns()) {
      throw new WhiskfeedException(ErrorCode.FORBIDDEN, "whiskfeed's database role " + t.role()
          + " does not own table " + t.tableName().display() + (capture == Capture.WAL
              ? ": Postgres lets only the table's owner set its replica identity and publish it (GRANT the owner role TO "
              : ": Postgres lets only the table's owner drop the capture trigger again (GRANT the owner role TO ")
          + Sql.displayIdentifier(t.role()) + ")");
    }
    return t;
  }

  /**
   * Schemas no feed may capture: whiskfeed's own (a trigger on its event table would capture its own
   * events, one on its feeds table would hand out sealed keys) and Postgres' catalogs.
   */
  static boolean reservedSchema(String schema) {
    return schema.equals(WHISKFEED) || schema.equals("information_schema") || schema.startsWith("pg_");
  }

  /** The catalog's spelling of each named column: exact first, then as SQL folds an unquoted name. */
  static List<String> columns(String param, List<String> names, Catalog.Table t) {
    List<String> out = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String name : names) {
      String lower = name.toLowerCase(Locale.ROOT);
      String found = t.columns().contains(name) ? name : t.columns().contains(lower) ? lower : null;
      if (found == null) unknown.add(name);
      else if (!out.contains(found)) out.add(found);
    }
    if (!unknown.isEmpty()) {
      throw WhiskfeedException.invalid(param + ": table " + t.tableName().display() + " has no column"
          + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown));
    }
    return out;
  }

  private static String kindName(String relkind) {
    return switch (relkind) {
      case "v" -> "a view";
      case "m" -> "a materialized view";
      case "f" -> "a foreign table";
      case "S" -> "a sequence";
      case "i", "I" -> "an index";
      case "c" -> "a composite type";
      default -> "not a plain table";
    };
  }
}
