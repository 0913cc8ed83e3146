package dev.whiskfeed.capture;

import dev.whiskfeed.error.WhiskfeedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table as a user names it: {@code schema.table}, schema {@code public} when left out. A part in
 * double quotes is taken literally (SQL's quoting, {@code ""} for a quote), so names with capitals,
 * spaces, dots and quotes can be given; an unquoted part is looked up as written first and then
 * folded to lower case, as SQL would fold it. {@link #display()} quotes a part only when SQL would
 * need it, so {@code public.orders} reads as itself and parses back to the same table.
 */
public record TableName(String schema, String name, boolean schemaQuoted, boolean nameQuoted) {
  static final int MAX_NAME_BYTES = 63;

  public static TableName of(String schema, String name) {
    return new TableName(schema, name, true, true);
  }

  public static TableName parse(String text) {
    if (text == null || text.isBlank()) throw WhiskfeedException.invalid("the table parameter is required");
    List<String> parts = new ArrayList<>();
    List<Boolean> quoted = new ArrayList<>();
    String s = text.strip();
    int i = 0;
    while (true) {
      StringBuilder part = new StringBuilder();
      boolean q = i < s.length() && s.charAt(i) == '"';
      if (q) {
        i++;
        while (true) {
          if (i >= s.length()) throw bad(text, "an unterminated quote");
          char c = s.charAt(i++);
          if (c == '"') {
            if (i < s.length() && s.charAt(i) == '"') {
              part.append('"');
              i++;
            } else {
              break;
            }
          } else {
            part.append(c);
          }
        }
      } else {
        while (i < s.length() && s.charAt(i) != '.') {
          if (s.charAt(i) == '"') throw bad(text, "a quote inside an unquoted name");
          part.append(s.charAt(i++));
        }
      }
      String value = q ? part.toString() : part.toString().strip();
      if (value.isEmpty()) throw bad(text, "an empty name");
      // Postgres keeps at most NAMEDATALEN - 1 bytes of a name: a longer one names no table
      if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        throw bad(text, "a name longer than " + MAX_NAME_BYTES + " bytes");
      }
      parts.add(value);
      quoted.add(q);
      if (i >= s.length()) break;
      if (s.charAt(i) != '.') throw bad(text, "text after a quoted name");
      i++;
    }
    if (parts.size() > 2) throw bad(text, "more than schema.table (quote a name that contains a dot)");
    return parts.size() == 1
        ? new TableName("public", parts.get(0), true, quoted.get(0))
        : new TableName(parts.get(0), parts.get(1), quoted.get(0), quoted.get(1));
  }

  /** The name SQL would use for an unquoted part (lower case); a quoted part is kept. */
  public TableName folded() {
    return new TableName(schemaQuoted ? schema : schema.toLowerCase(Locale.ROOT),
        nameQuoted ? name : name.toLowerCase(Locale.ROOT), true, true);
  }

  /** {@code schema.table}, each part quoted only when SQL would need it. */
  public String display() {
    return Sql.displayIdentifier(schema) + "." + Sql.displayIdentifier(name);
  }

  @Override
  public String toString() {
    return display();
  }

  private static WhiskfeedException bad(String text, String why) {
    String shown = text.length() > 200 ? text.substring(0, 200) + "…" : text;
    return WhiskfeedException.invalid("the table parameter '" + shown + "' is not schema.table: it has " + why);
  }
}
