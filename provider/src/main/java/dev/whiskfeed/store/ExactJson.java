package dev.whiskfeed.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses JSON text keeping every number exact: a fraction becomes a BigDecimal, never a double.
 * Vert.x's own decoder reads fractions as doubles, which would turn a captured
 * {@code numeric 12345678901234567890.123456789} into {@code 1.2345678901234567E19} on its way to
 * OpenWhisk; the encoder writes BigDecimal and BigInteger values as they are.
 */
public final class ExactJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private ExactJson() {}

  /** Any JSON value (object, array or scalar), numbers exact; objects and arrays as maps and lists. */
  public static Object value(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() == null) throw new DecodeException("no JSON value");
      Object value = value(p);
      if (p.nextToken() != null) throw new DecodeException("text after the JSON value");
      return value;
    } catch (IOException e) {
      throw new DecodeException("unreadable JSON: " + e.getMessage());
    }
  }

  /**
   * Whether Postgres {@code numeric} (and so {@code jsonb}) holds the number as it is: at most
   * {@value #MAX_DIGITS} digits before the point and as many after, far inside numeric's own limits.
   */
  public static boolean storable(java.math.BigDecimal n) {
    return n.precision() - n.scale() <= MAX_DIGITS && n.scale() <= MAX_DIGITS;
  }

  public static final int MAX_DIGITS = 1000;

  /** Whether Postgres can keep the string in {@code jsonb} and {@code text}: no U+0000, no unpaired surrogate. */
  public static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) return false;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  public static JsonObject object(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new DecodeException("not a JSON object");
      return new JsonObject(object(p));
    } catch (IOException e) {
      throw new DecodeException("unreadable JSON: " + e.getMessage());
    }
  }

  private static Map<String, Object> object(JsonParser p) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      out.put(name, value(p));
    }
    return out;
  }

  private static List<Object> array(JsonParser p) throws IOException {
    List<Object> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) out.add(value(p));
    return out;
  }

  private static Object value(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case START_OBJECT -> object(p);
      case START_ARRAY -> array(p);
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new DecodeException("unexpected JSON token " + p.currentToken());
    };
  }
}
