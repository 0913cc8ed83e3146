package dev.whiskfeed.capture;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Params;
import dev.whiskfeed.store.StoreRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The parameters of a {@code changes} feed as the request gives them, checked for form only (the
 * catalog checks come after, in {@link ChangesRules}). Every message names the parameter.
 *
 * @param columns UPDATEs fire only when one of these changed; empty = any column
 * @param payloadColumns the columns in {@code old}/{@code new}; empty = all
 * @param database a Postgres URL (a secret), or null
 * @param where the row filter as the request gives it (form checked, not yet against the catalog), or null
 */
public record ChangesParams(TableName table, Set<Op> events, List<String> columns, List<String> payloadColumns,
                            String source, String database, Mode mode, int pollIntervalSec, Capture capture,
                            RowFilter where) {

  /** The operations a feed may ask for. TRUNCATE is captured with DELETE (see docs/changes-feed.md). */
  public enum Op { INSERT, UPDATE, DELETE }

  public enum Mode {
    LISTEN, POLL;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How changes are captured: from the write-ahead log (a logical replication slot per source
   * database), by a trigger in the writer's transaction, or {@code auto}: WAL where the source
   * allows it. Stored resolved ({@code wal} or {@code trigger}); a feed stored before the parameter
   * existed is a trigger feed.
   */
  public enum Capture {
    AUTO, WAL, TRIGGER;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The stored mode of a feed's config: {@code wal}, else trigger. */
    public static Capture stored(JsonObject config) {
      return "wal".equals(config.getString("capture")) ? WAL : TRIGGER;
    }
  }

  public static final int DEFAULT_POLL_INTERVAL_SEC = 5;
  public static final Set<String> NAMES = Set.of("table", "events", "columns", "payloadColumns", "source", "database",
      "mode", "pollIntervalSec", "capture", "where", "backfill");

  public ChangesParams {
    events = events.isEmpty() ? EnumSet.noneOf(Op.class) : EnumSet.copyOf(events);
    columns = List.copyOf(columns);
    payloadColumns = List.copyOf(payloadColumns);
  }

  /**
   * Reads the effective parameters. {@code changed} names those the request set: on UPDATE the
   * stored config (where {@code database} is masked) is merged under them, so {@code database} is
   * taken from the request only when it set it, else from the stored {@code secrets}.
   */
  public static ChangesParams parse(JsonObject params, Set<String> changed, JsonObject secrets) {
    TableName table = TableName.parse(Params.string(params, "table"));
    Set<Op> events = events(params.getValue("events"));
    List<String> columns = columnList("columns", params.getValue("columns"));
    List<String> payloadColumns = columnList("payloadColumns", params.getValue("payloadColumns"));
    String source = Params.string(params, "source");
    String database = changed.contains("database") ? Params.string(params, "database") : secrets.getString("database");
    if (source != null && source.isBlank()) source = null;
    if (database != null && database.isBlank()) database = null;
    if (changed.contains("source") && source != null && !changed.contains("database")) database = null;
    if (changed.contains("database") && database != null && !changed.contains("source")) source = null;
    if (source != null && database != null) {
      throw WhiskfeedException.invalid("give either the source parameter or the database parameter, not both");
    }
    if (database != null) checkUrl(database);
    Mode mode = mode(params.getValue("mode"));
    if (mode == Mode.LISTEN && changed.contains("pollIntervalSec") && params.getValue("pollIntervalSec") != null) {
      throw WhiskfeedException.invalid("the pollIntervalSec parameter applies to mode poll only");
    }
    int pollIntervalSec = Params.integer(params, "pollIntervalSec", DEFAULT_POLL_INTERVAL_SEC, 1, 3600);
    Capture capture = capture(params.getValue("capture"));
    if (capture == Capture.WAL && mode == Mode.POLL) {
      throw WhiskfeedException.invalid("mode poll applies to capture trigger only: WAL capture is never polled");
    }
    if (capture == Capture.AUTO && mode == Mode.POLL) capture = Capture.TRIGGER;
    RowFilter where = RowFilter.parse(params.getValue("where"));
    return new ChangesParams(table, events, columns, payloadColumns, source, database, mode, pollIntervalSec, capture,
        where);
  }

  /**
   * {@code backfill: true} on CREATE: one BACKFILL event per existing row after capture is installed.
   * Not stored: it starts a run, it is no setting of the feed.
   */
  public static boolean backfill(JsonObject params) {
    return Params.bool(params, "backfill", false);
  }

  /** The database the feed reads: the control database, a named source, or the feed's own database. */
  public StoreRef databaseRef() {
    return StoreRef.of(source, database);
  }

  static Set<Op> events(Object value) {
    if (value == null) return EnumSet.allOf(Op.class);
    List<String> names = new ArrayList<>();
    if (value instanceof String s) {
      for (String part : s.split(",", -1)) names.add(part.strip());
    } else if (value instanceof JsonArray a) {
      for (Object o : a) {
        if (!(o instanceof String s)) throw eventsMessage(String.valueOf(o));
        names.add(s.strip());
      }
    } else {
      throw WhiskfeedException.invalid("the events parameter must be an array or a comma-separated list of "
          + "INSERT, UPDATE, DELETE");
    }
    Set<Op> ops = EnumSet.noneOf(Op.class);
    for (String name : names) {
      if (name.isEmpty() && names.size() == 1) break;
      ops.add(op(name));
    }
    if (ops.isEmpty()) throw WhiskfeedException.invalid("the events parameter must name at least one of INSERT, UPDATE, DELETE");
    return ops;
  }

  private static Op op(String name) {
    for (Op op : Op.values()) {
      if (op.name().equalsIgnoreCase(name)) return op;
    }
    throw eventsMessage(name);
  }

  private static WhiskfeedException eventsMessage(String name) {
    return WhiskfeedException.invalid("the events parameter may name only INSERT, UPDATE and DELETE, not '" + name + "'");
  }

  /** A column list: array (names exact) or comma list (names trimmed); absent, [], "" or "*" mean all. */
  static List<String> columnList(String param, Object value) {
    if (value == null) return List.of();
    Set<String> names = new LinkedHashSet<>();
    if (value instanceof String s) {
      if (s.isBlank() || s.strip().equals("*")) return List.of();
      for (String part : s.split(",", -1)) {
        String name = part.strip();
        if (name.isEmpty()) throw WhiskfeedException.invalid("the " + param + " parameter has an empty column name");
        names.add(name);
      }
    } else if (value instanceof JsonArray a) {
      for (Object o : a) {
        if (!(o instanceof String s) || s.isEmpty()) {
          throw WhiskfeedException.invalid("the " + param + " parameter must list column names as strings");
        }
        names.add(s);
      }
    } else {
      throw WhiskfeedException.invalid("the " + param + " parameter must be an array or a comma-separated list of columns");
    }
    return List.copyOf(names);
  }

  static Mode mode(Object value) {
    if (value == null) return Mode.LISTEN;
    if (value instanceof String s) {
      for (Mode m : Mode.values()) {
        if (m.wireName().equalsIgnoreCase(s.strip())) return m;
      }
    }
    throw WhiskfeedException.invalid("the mode parameter must be listen or poll, not '" + value + "'");
  }

  static Capture capture(Object value) {
    if (value == null) return Capture.AUTO;
    if (value instanceof String s) {
      for (Capture c : Capture.values()) {
        if (c.wireName().equalsIgnoreCase(s.strip())) return c;
      }
    }
    throw WhiskfeedException.invalid("the capture parameter must be auto, wal or trigger, not '" + value + "'");
  }

  private static void checkUrl(String database) {
    try {
      DbUrl.parse(database);
    } catch (IllegalArgumentException e) {
      throw WhiskfeedException.invalid("the database parameter must be a Postgres URL "
          + "(postgresql://user:password@host:port/database): " + e.getMessage());
    }
  }
}
