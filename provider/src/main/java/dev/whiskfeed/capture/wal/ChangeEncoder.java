package dev.whiskfeed.capture.wal;

import dev.whiskfeed.capture.ChangesParams.Op;
import java.util.List;

/**
 * Turns one decoded row change into the payload a feed stores, with trigger capture's rules
 * (capture/CaptureDdl): the operation must be one the feed asked for; an UPDATE fires only when a
 * column changed value (one of {@code columns}, when given), so a no-op UPDATE never fires; the rows
 * carry {@code payloadColumns} only, when given. Values are compared as jsonb compares them
 * ({@link JsonValues}). The payload is JSON text in which every value is printed as
 * {@code to_jsonb} prints it ({@link JsonText}); it is stored as jsonb, which normalizes it the way
 * trigger capture's payload is.
 */
final class ChangeEncoder {
  private ChangeEncoder() {}

  /** The payload for {@code feed}, or null when the feed does not take this change. Rows hold text or null per column. */
  static String encode(Relation rel, WalFeed feed, Op op, String[] old, String[] now) {
    return encode(rel, feed, op, old, now, true);
  }

  /**
   * {@code oldIsWhole}: false when the old row holds the key columns only (a table without
   * {@code REPLICA IDENTITY FULL}, such as a partition): it is sent as it is, and an UPDATE is never
   * taken for a no-op on its strength.
   */
  static String encode(Relation rel, WalFeed feed, Op op, String[] old, String[] now, boolean oldIsWhole) {
    if (!feed.events().contains(op)) return null;
    if (op == Op.UPDATE && oldIsWhole && !changed(rel, feed.columns(), old, now)) return null;
    StringBuilder b = new StringBuilder(64 + 32 * rel.columns().size());
    head(b, rel);
    b.append("\"old\":");
    row(b, rel, feed.payloadColumns(), op == Op.INSERT ? null : old);
    b.append(",\"new\":");
    row(b, rel, feed.payloadColumns(), op == Op.DELETE ? null : now);
    return b.append("}}").toString();
  }

  /**
   * A decoded row as the text of each column, null for NULL. An unchanged TOASTed value (an UPDATE
   * that left a large value alone) is taken from {@code old}, where REPLICA IDENTITY FULL put it.
   */
  static String[] texts(PgOutput.Tuple tuple, String[] old) {
    String[] out = new String[tuple.size()];
    for (int i = 0; i < out.length; i++) {
      PgOutput.Value v = tuple.get(i);
      switch (v.kind()) {
        case TEXT -> out[i] = v.text();
        case NULL -> out[i] = null;
        case UNCHANGED_TOAST -> out[i] = old != null && i < old.length ? old[i] : null;
        case BINARY -> throw new IllegalStateException("binary tuple data: the slot is read in text format");
      }
    }
    return out;
  }

  /** A TRUNCATE's payload: no rows (a feed taking DELETE takes TRUNCATE too, as in trigger capture). */
  static String truncate(Relation rel, WalFeed feed) {
    if (!feed.events().contains(Op.DELETE)) return null;
    StringBuilder b = new StringBuilder(96);
    head(b, rel);
    return b.append("\"old\":null,\"new\":null}}").toString();
  }

  private static void head(StringBuilder b, Relation rel) {
    b.append("{\"table\":{\"schema\":");
    JsonText.appendString(b, rel.schema());
    b.append(",\"name\":");
    JsonText.appendString(b, rel.name());
    b.append("},\"data\":{");
  }

  static boolean changed(Relation rel, List<String> columns, String[] old, String[] now) {
    if (old == null) return true; // no old row to compare with: never drop a change
    if (columns.isEmpty()) {
      for (int i = 0; i < now.length; i++) {
        if (!JsonValues.same(rel.types().get(i), i < old.length ? old[i] : null, now[i])) return true;
      }
      return false;
    }
    for (String c : columns) {
      int i = rel.indexOf(c);
      if (i >= 0 && !JsonValues.same(rel.types().get(i), old[i], now[i])) return true;
    }
    return false;
  }

  private static void row(StringBuilder b, Relation rel, List<String> only, String[] values) {
    if (values == null) {
      b.append("null");
      return;
    }
    b.append('{');
    boolean first = true;
    for (int i = 0; i < rel.columns().size(); i++) {
      String name = rel.columns().get(i);
      if (!only.isEmpty() && !only.contains(name)) continue;
      if (!first) b.append(',');
      first = false;
      JsonText.appendString(b, name);
      b.append(':');
      JsonText.append(b, rel.types().get(i), i < values.length ? values[i] : null);
    }
    b.append('}');
  }
}
