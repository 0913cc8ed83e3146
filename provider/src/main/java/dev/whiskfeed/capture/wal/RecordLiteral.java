package dev.whiskfeed.capture.wal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a composite value's text output ({@code record_out}) into its fields' texts, by
 * {@code record_in}'s rules: {@code (a,"b c",)}; an empty field is NULL ({@code ""} is the empty
 * string); a backslash takes the next character literally; inside quotes {@code ""} is a quote.
 */
final class RecordLiteral {
  private RecordLiteral() {}

  /**
   * The texts of a record's {@code count} fields in order, null for NULL. The count tells a record of
   * no fields from one of a single NULL: both print {@code ()}.
   */
  static List<String> fields(String text, int count) {
    if (text.length() < 2 || text.charAt(0) != '(' || text.charAt(text.length() - 1) != ')') {
      throw malformed(text, "not in parentheses");
    }
    List<String> fields = new ArrayList<>(count);
    if (count == 0) {
      if (text.length() != 2) throw malformed(text, "fields in a record of none");
      return fields;
    }
    int pos = 1;
    int end = text.length() - 1;
    while (true) {
      char c = pos < end ? text.charAt(pos) : ')';
      if (c == ',' || pos >= end) {
        fields.add(null);
      } else {
        StringBuilder value = new StringBuilder();
        pos = field(text, pos, end, value);
        fields.add(value.toString());
      }
      if (pos >= end) break;
      pos++; // the comma
    }
    if (fields.size() != count) {
      throw malformed(text, fields.size() + " fields where the type has " + count);
    }
    return fields;
  }

  /** Reads one non-null field from {@code pos} into {@code value}; returns the index of the ',' or ')' after it. */
  private static int field(String text, int pos, int end, StringBuilder value) {
    boolean inQuote = false;
    while (inQuote || (pos < end && text.charAt(pos) != ',')) {
      if (pos >= end) throw malformed(text, "unterminated quote");
      char c = text.charAt(pos++);
      if (c == '\\') {
        if (pos >= end && !inQuote) throw malformed(text, "backslash at the end");
        value.append(text.charAt(pos++));
      } else if (c == '"') {
        if (!inQuote) {
          inQuote = true;
        } else if (pos < end && text.charAt(pos) == '"') {
          value.append('"');
          pos++;
        } else {
          inQuote = false;
        }
      } else {
        value.append(c);
      }
    }
    return pos;
  }

  private static IllegalArgumentException malformed(String text, String why) {
    return new IllegalArgumentException("malformed record literal (" + why + "): " + text);
  }
}
