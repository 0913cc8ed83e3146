package dev.whiskfeed.capture.wal;

import java.util.List;

/**
 * Prints a column's text output as the JSON that {@code to_jsonb} prints for the value, as raw
 * JSON text: numbers stay the literal token and json values are embedded as they are, so nothing
 * passes through a double or a JSON library on the way (jsonb parses the result into the same
 * numerics and objects as to_jsonb built).
 */
public final class JsonText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {}

  /** Appends the JSON of {@code text}, a value of {@code type} in its text output; null prints {@code null}. */
  public static void append(StringBuilder out, PgType type, String text) {
    if (text == null) {
      out.append("null");
    } else if (type instanceof PgType.Scalar scalar) {
      appendScalar(out, scalar, text);
    } else if (type instanceof PgType.Array array) {
      ArrayLiteral.append(out, array, text);
    } else {
      List<PgType.Field> fields = ((PgType.Composite) type).fields();
      appendObject(out, fields, RecordLiteral.fields(text, fields.size()));
    }
  }

  /**
   * Appends a JSON object of {@code fields} named by their names, with the values {@code texts}
   * (null for SQL NULL), in order: a row as {@code to_jsonb(row)} prints it.
   */
  public static void appendObject(StringBuilder out, List<PgType.Field> fields, List<String> texts) {
    if (fields.size() != texts.size()) {
      throw new IllegalArgumentException(fields.size() + " fields but " + texts.size() + " values");
    }
    out.append('{');
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) out.append(", ");
      appendString(out, fields.get(i).name());
      out.append(": ");
      append(out, fields.get(i).type(), texts.get(i));
    }
    out.append('}');
  }

  /**
   * Appends {@code s} as a JSON string, escaped as Postgres' {@code escape_json} escapes it:
   * {@code \b \f \n \r \t \" \\} by name, the other characters below U+0020 as {@code \}{@code u00xx},
   * everything else (DEL and all of Unicode included) as it is.
   */
  public static void appendString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < ' ') {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void appendScalar(StringBuilder out, PgType.Scalar scalar, String text) {
    switch (scalar) {
      case BOOL -> out.append(bool(text));
      case NUMBER -> {
        if (isJsonNumber(text)) out.append(text);
        else appendString(out, text);
      }
      case JSON -> out.append(text);
      case TIMESTAMP, TIMESTAMPTZ -> appendString(out, DateTimes.timestamp(text));
      case DATE, TIME, TIMETZ, STRING -> appendString(out, text);
    }
  }

  private static String bool(String text) {
    return switch (text) {
      case "t" -> "true";
      case "f" -> "false";
      default -> throw new IllegalArgumentException("not a boolean's text output: " + text);
    };
  }

  /**
   * Whether {@code text} is one JSON number token, as Postgres' {@code IsValidJsonNumber} decides:
   * {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. A float's {@code 1e+300} is; NaN and
   * Infinity are not, and print as strings.
   */
  static boolean isJsonNumber(String text) {
    int n = text.length();
    int i = 0;
    if (i < n && text.charAt(i) == '-') i++;
    if (i < n && text.charAt(i) == '0') {
      i++;
    } else {
      int start = i;
      while (i < n && isDigit(text.charAt(i))) i++;
      if (i == start || text.charAt(start) == '0') return false;
    }
    if (i < n && text.charAt(i) == '.') {
      i = digits(text, i + 1);
      if (i < 0) return false;
    }
    if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
      i++;
      if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) i++;
      i = digits(text, i);
      if (i < 0) return false;
    }
    return i == n;
  }

  /** The index after one or more digits from {@code i}, or -1 when there is none. */
  private static int digits(String text, int i) {
    int start = i;
    while (i < text.length() && isDigit(text.charAt(i))) i++;
    return i == start ? -1 : i;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
