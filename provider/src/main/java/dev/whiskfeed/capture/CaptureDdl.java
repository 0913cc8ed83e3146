package dev.whiskfeed.capture;

import dev.whiskfeed.store.Doorbell;

import dev.whiskfeed.capture.ChangesParams.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The DDL of one feed's capture, generated from a {@link CaptureSpec}: a trigger function
 * {@code whiskfeed.capture_<feed id>()} and one statement-level trigger per operation, each with its
 * transition table, so a statement writes its events with one {@code INSERT … SELECT} however many
 * rows it touched.
 *
 * <p>The function is {@code SECURITY DEFINER}, owned by the provider's role, with a pinned
 * {@code search_path} ({@code pg_catalog, pg_temp}; every table and function it names is
 * schema-qualified), so a writer with no rights on the {@code whiskfeed} schema can write the table
 * and cannot redirect what the function calls. The settings that change how {@code to_jsonb}
 * prints values are pinned too, so the payload does not depend on the writer's session.
 *
 * <p>Columns are never named in SQL: the payload is {@code to_jsonb(row)} narrowed with jsonb
 * operators, and UPDATE compares jsonb values, so a dropped column disappears from payloads instead
 * of breaking the writer's statement, and json columns (which have no equality) compare fine.
 * Names appear only as quoted identifiers and escaped literals ({@link Sql}).
 */
public final class CaptureDdl {
  public static final String SCHEMA = "whiskfeed";

  /**
   * The settings that decide how {@code to_jsonb} prints a row (and what the function's names
   * resolve to): pinned on the capture function, and set for each backfill chunk
   * ({@link BackfillQuery}), so a row prints the same both ways.
   */
  static final List<String> PAYLOAD_SETTINGS = List.of(
      "search_path = pg_catalog, pg_temp",
      "\"TimeZone\" = 'UTC'",
      "\"IntervalStyle\" = 'iso_8601'",
      // dates inside ranges and composite types print in the writer's DateStyle otherwise
      "\"DateStyle\" = 'ISO'",
      "bytea_output = 'hex'",
      "extra_float_digits = 1");

  private static final String FUNCTION_SETTINGS = PAYLOAD_SETTINGS.stream().map(s -> "SET " + s)
      .collect(Collectors.joining("\n"));

  private CaptureDdl() {}

  /** {@code whiskfeed.capture_<feed id>()}: the function's signature, as DROP and regprocedure take it. */
  public static String function(long feedId) {
    return SCHEMA + ".capture_" + feedId + "()";
  }

  /** The trigger of one operation; TRUNCATE has its own. */
  public static String triggerName(long feedId, String op) {
    return "whiskfeed_" + feedId + "_" + op.toLowerCase(Locale.ROOT);
  }

  /** The triggers {@code spec} installs, by name. */
  public static List<String> triggerNames(CaptureSpec spec) {
    List<String> names = new ArrayList<>();
    for (Op op : spec.events()) names.add(triggerName(spec.feedId(), op.name()));
    if (spec.events().contains(Op.DELETE)) names.add(triggerName(spec.feedId(), "TRUNCATE"));
    return names;
  }

  /** Statements that replace whatever this feed had installed with {@code spec}, in one transaction. */
  public static List<String> install(CaptureSpec spec) {
    List<String> out = new ArrayList<>();
    out.add(dropTriggers(spec.feedId()));
    out.add(createFunction(spec));
    out.add("REVOKE ALL ON FUNCTION " + function(spec.feedId()) + " FROM PUBLIC");
    String table = Sql.qualified(spec.schema(), spec.table());
    for (Op op : spec.events()) out.add(createTrigger(spec.feedId(), op.name(), table, transitionTables(op)));
    if (spec.events().contains(Op.DELETE)) out.add(createTrigger(spec.feedId(), "TRUNCATE", table, ""));
    return out;
  }

  /** Statements that remove every trigger and the function of this feed, wherever its table is now. */
  public static List<String> uninstall(long feedId) {
    return List.of(dropTriggers(feedId), "DROP FUNCTION IF EXISTS " + function(feedId));
  }

  /**
   * Drops the triggers that call this feed's function, found in the catalog (so a renamed table is
   * no problem), quoting names with {@code format('%I')}.
   */
  static String dropTriggers(long feedId) {
    return """
        DO $drop$
        DECLARE t record;
        BEGIN
          FOR t IN SELECT tg.tgname, n.nspname, c.relname
                   FROM pg_catalog.pg_trigger tg
                   JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
                   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                   WHERE tg.tgfoid = pg_catalog.to_regprocedure('%s')
          LOOP
            EXECUTE pg_catalog.format('DROP TRIGGER %%I ON %%I.%%I', t.tgname, t.nspname, t.relname);
          END LOOP;
        END
        $drop$""".formatted(function(feedId));
  }

  private static String createTrigger(long feedId, String op, String table, String referencing) {
    return "CREATE TRIGGER " + Sql.identifier(triggerName(feedId, op)) + " AFTER " + op + " ON " + table
        + referencing + " FOR EACH STATEMENT EXECUTE FUNCTION " + function(feedId);
  }

  private static String transitionTables(Op op) {
    return switch (op) {
      case INSERT -> " REFERENCING NEW TABLE AS new_rows";
      case UPDATE -> " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows";
      case DELETE -> " REFERENCING OLD TABLE AS old_rows";
    };
  }

  static String createFunction(CaptureSpec spec) {
    String body = body(spec);
    String tag = dollarTag(body);
    return "CREATE OR REPLACE FUNCTION " + function(spec.feedId()) + " RETURNS trigger\n"
        + "LANGUAGE plpgsql SECURITY DEFINER\n" + FUNCTION_SETTINGS + "\nAS " + tag + "\n" + body + "\n" + tag;
  }

  /** A dollar-quote tag that does not occur in {@code body} (a column name could contain any tag). */
  static String dollarTag(String body) {
    String tag = "$whiskfeed$";
    for (int n = 1; body.contains(tag); n++) tag = "$whiskfeed" + n + "$";
    return tag;
  }

  static String body(CaptureSpec spec) {
    long id = spec.feedId();
    boolean narrowed = !spec.payloadColumns().isEmpty();
    StringBuilder b = new StringBuilder();
    // a column may be named like a variable: the variable wins, never an "ambiguous" error
    b.append("#variable_conflict use_variable\nDECLARE\n  n bigint;\n  tbl jsonb := pg_catalog.jsonb_build_object('schema', TG_TABLE_SCHEMA, 'name', TG_TABLE_NAME);\n");
    if (narrowed) b.append("  hidden text[];\n");
    if (spec.filter() != null) b.append("  ok boolean;\n");
    b.append("BEGIN\n");
    if (spec.filter() != null) {
      // the filter reads its columns with casts that hold for the types it was checked against
      b.append("  ok := ").append(spec.filter().guard()).append(";\n");
    }
    if (narrowed) {
      // the table's other columns, read once per statement: the payload is the row minus them
      b.append("  SELECT COALESCE(pg_catalog.array_agg(a.attname::text), '{}') INTO hidden\n")
          .append("    FROM pg_catalog.pg_attribute a\n")
          .append("   WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped\n")
          .append("     AND a.attname::text <> ALL (").append(Sql.textArray(spec.payloadColumns())).append(");\n");
    }
    String ifWord = "IF";
    for (Op op : spec.events()) {
      b.append("  ").append(ifWord).append(" TG_OP = '").append(op.name()).append("' THEN\n")
          .append(insertFor(op, id, narrowed, spec.columns(), spec.filter()));
      ifWord = "ELSIF";
    }
    if (spec.events().contains(Op.DELETE)) {
      b.append("  ELSIF TG_OP = 'TRUNCATE' THEN\n")
          .append("    INSERT INTO whiskfeed.events (feed_id, op, payload)\n")
          .append("    VALUES (").append(id).append(", 'TRUNCATE', ").append(payload("NULL", "NULL")).append(");\n");
    }
    b.append("  END IF;\n");
    if (spec.ringDoorbell()) b.append(RING);
    b.append("  RETURN NULL;\nEND");
    return b.toString();
  }

  /** Rings the doorbell once per statement that wrote events, only when the consumer armed it. */
  private static final String RING = Doorbell.RING_PLPGSQL;

  private static String insertFor(Op op, long id, boolean narrowed, List<String> columns, CaptureSpec.Filter filter) {
    String head = "    INSERT INTO whiskfeed.events (feed_id, op, payload)\n    SELECT " + id + ", '" + op.name() + "', ";
    if (filter != null) {
      return "    IF ok THEN\n" + indent(filtered(op, head, narrowed, columns, filter)) + "    ELSE\n"
          + indent(plain(op, head, narrowed, columns)) + "    END IF;\n";
    }
    return plain(op, head, narrowed, columns);
  }

  private static String plain(Op op, String head, boolean narrowed, List<String> columns) {
    return switch (op) {
      case INSERT -> head + payload("NULL", row("pg_catalog.to_jsonb(r.*)", narrowed)) + "\n      FROM new_rows r;\n";
      case DELETE -> head + payload(row("pg_catalog.to_jsonb(r.*)", narrowed), "NULL") + "\n      FROM old_rows r;\n";
      // Transition tables hold a statement's old and new rows in the same order (Postgres appends
      // both images of a row together), so the i-th old row pairs with the i-th new one, even when
      // the UPDATE changed the key.
      case UPDATE -> head + payload(row("o.j", narrowed), row("w.j", narrowed)) + "\n"
          + "      FROM (SELECT pg_catalog.row_number() OVER () AS i, pg_catalog.to_jsonb(r.*) AS j FROM old_rows r) o\n"
          + "      JOIN (SELECT pg_catalog.row_number() OVER () AS i, pg_catalog.to_jsonb(r.*) AS j FROM new_rows r) w"
          + " ON w.i = o.i\n"
          + "     WHERE " + changed(columns) + "\n"
          + "     ORDER BY o.i;\n";
    };
  }

  /**
   * The same statement with the row filter: on the new row of an INSERT or UPDATE, the old row of a
   * DELETE. It names the filter's columns, so it runs only while the guard holds; otherwise the
   * unfiltered statement runs (see {@link FilterSql}).
   */
  private static String filtered(Op op, String head, boolean narrowed, List<String> columns, CaptureSpec.Filter filter) {
    String matches = filter.predicate();
    return switch (op) {
      case INSERT -> head + payload("NULL", row("pg_catalog.to_jsonb(r.*)", narrowed)) + "\n      FROM new_rows r\n"
          + "     WHERE " + matches + ";\n";
      case DELETE -> head + payload(row("pg_catalog.to_jsonb(r.*)", narrowed), "NULL") + "\n      FROM old_rows r\n"
          + "     WHERE " + matches + ";\n";
      case UPDATE -> head + payload(row("o.j", narrowed), row("w.j", narrowed)) + "\n"
          + "      FROM (SELECT pg_catalog.row_number() OVER () AS i, pg_catalog.to_jsonb(r.*) AS j FROM old_rows r) o\n"
          + "      JOIN (SELECT pg_catalog.row_number() OVER () AS i, pg_catalog.to_jsonb(r.*) AS j, " + matches
          + " AS m FROM new_rows r) w ON w.i = o.i\n"
          + "     WHERE w.m AND " + changed(columns) + "\n"
          + "     ORDER BY o.i;\n";
    };
  }

  private static String indent(String statements) {
    return statements.lines().map(l -> "  " + l + "\n").collect(Collectors.joining());
  }

  private static String row(String json, boolean narrowed) {
    return narrowed ? "(" + json + " OPERATOR(pg_catalog.-) hidden)" : json;
  }

  private static String payload(String oldRow, String newRow) {
    return "pg_catalog.jsonb_build_object('table', tbl, 'data', pg_catalog.jsonb_build_object('old', " + oldRow
        + ", 'new', " + newRow + "))";
  }

  /** A no-op UPDATE never fires; with {@code columns}, only a change of one of them does. NULL ↔ value is a change. */
  static String changed(List<String> columns) {
    if (columns.isEmpty()) return "o.j IS DISTINCT FROM w.j";
    return columns.stream()
        .map(c -> "(o.j OPERATOR(pg_catalog.->) " + Sql.literal(c) + ") IS DISTINCT FROM (w.j OPERATOR(pg_catalog.->) "
            + Sql.literal(c) + ")")
        .collect(Collectors.joining("\n        OR ", "(", ")"));
  }
}
