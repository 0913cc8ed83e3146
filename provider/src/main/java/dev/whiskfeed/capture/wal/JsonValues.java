package dev.whiskfeed.capture.wal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Equality of two values as jsonb sees it, for the no-op-UPDATE rule: trigger capture compares
 * the rows as jsonb, where {@code [1, 2]} equals {@code [1,2]}, {@code 1.0} equals {@code 1},
 * object keys have no order and the last of duplicate keys wins.
 */
final class JsonValues {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonValues() {}

  /** Whether two texts of a column of {@code type} hold the same value as jsonb compares them. */
  static boolean same(PgType type, String a, String b) {
    if (a == null || b == null) return a == b;
    if (a.equals(b)) return true;
    if (type == PgType.NUMBER) return numbersEqual(a, b);
    if (type == PgType.JSON) return canonical(a).equals(canonical(b));
    return false;
  }

  private static boolean numbersEqual(String a, String b) {
    try {
      return new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
    } catch (NumberFormatException e) {
      return false; // NaN, Infinity: equal only as the same text
    }
  }

  /** A comparable form of a JSON text: sorted maps, lists, numbers without trailing zeros. */
  static Object canonical(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      p.nextToken();
      return read(p);
    } catch (IOException e) {
      return text; // not JSON after all: compare the text
    }
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new TreeMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          map.put(key, read(p));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) list.add(read(p));
        return list;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        BigDecimal d = new BigDecimal(p.getText());
        return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
      }
      case VALUE_STRING -> {
        return "s" + p.getText();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      default -> {
        return "null";
      }
    }
  }
}
