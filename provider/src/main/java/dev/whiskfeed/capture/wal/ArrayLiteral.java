package dev.whiskfeed.capture.wal;

/**
 * Reads an array's text output ({@code array_out}) and prints its JSON as {@code to_jsonb} does:
 * one JSON array per dimension, the {@code [l:u]=} bounds prefix dropped, unquoted {@code NULL}
 * as null, every element printed by its element type.
 *
 * <p>The grammar is {@code array_in}'s for what {@code array_out} writes: elements separated by
 * the element type's delimiter; an element is quoted when it is empty, spells NULL, or holds the
 * delimiter, a brace, a quote, a backslash or white space, and inside quotes (and outside) a
 * backslash takes the next character literally. White space around unquoted elements is ignored.
 */
final class ArrayLiteral {
  private final String text;
  private final PgType.Array type;
  private final StringBuilder out;
  private int pos;

  private ArrayLiteral(String text, PgType.Array type, StringBuilder out) {
    this.text = text;
    this.type = type;
    this.out = out;
  }

  static void append(StringBuilder out, PgType.Array type, String text) {
    new ArrayLiteral(text, type, out).read();
  }

  private void read() {
    if (peek() == '[') {
      // [l:u][l:u]= : only the bounds, which to_jsonb ignores
      int equals = text.indexOf('=');
      if (equals < 0) throw malformed("bounds without '='");
      pos = equals + 1;
    }
    skipSpace();
    level();
    skipSpace();
    if (pos != text.length()) throw malformed("text after the closing brace");
  }

  /** One {@code {…}} level, at its opening brace. */
  private void level() {
    expect('{');
    out.append('[');
    skipSpace();
    if (peek() == '}') {
      pos++;
      out.append(']');
      return;
    }
    while (true) {
      skipSpace();
      if (peek() == '{') level();
      else element();
      skipSpace();
      char c = next();
      if (c == '}') break;
      if (c != type.delimiter()) throw malformed("expected '" + type.delimiter() + "' or '}'");
      out.append(", ");
    }
    out.append(']');
  }

  private void element() {
    StringBuilder value = new StringBuilder();
    boolean quotedOrEscaped = false;
    int lastLiteral = 0; // length of value up to its last quoted or escaped character (kept when trimming)
    while (true) {
      char c = peek();
      if (c == type.delimiter() || c == '}') break;
      pos++;
      if (c == '"') {
        quotedOrEscaped = true;
        quoted(value);
        lastLiteral = value.length();
      } else if (c == '\\') {
        quotedOrEscaped = true;
        value.append(next());
        lastLiteral = value.length();
      } else if (c == '{') {
        throw malformed("unexpected '{'");
      } else {
        value.append(c);
      }
    }
    int end = value.length();
    while (end > lastLiteral && isSpace(value.charAt(end - 1))) end--;
    value.setLength(end);
    String element = !quotedOrEscaped && value.toString().equalsIgnoreCase("NULL") ? null : value.toString();
    JsonText.append(out, type.element(), element);
  }

  /** The rest of a quoted part, after its opening quote, into {@code value}. */
  private void quoted(StringBuilder value) {
    while (true) {
      char c = next();
      if (c == '"') return;
      value.append(c == '\\' ? next() : c);
    }
  }

  private void expect(char c) {
    if (next() != c) throw malformed("expected '" + c + "'");
  }

  private char peek() {
    if (pos >= text.length()) throw malformed("unexpected end");
    return text.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void skipSpace() {
    while (pos < text.length() && isSpace(text.charAt(pos))) pos++;
  }

  /** array_in's white space (scanner_isspace). */
  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000b' || c == '\f';
  }

  private IllegalArgumentException malformed(String why) {
    return new IllegalArgumentException("malformed array literal at " + pos + " (" + why + "): " + text);
  }
}
