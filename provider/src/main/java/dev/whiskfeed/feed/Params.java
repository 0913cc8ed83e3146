package dev.whiskfeed.feed;

import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;

/** Typed, range-checked reading of request parameters, with messages that name the parameter. */
public final class Params {
  private Params() {}

  /** An integer parameter (a JSON integer or a string of digits) within [min, max], or the default. */
  public static int integer(JsonObject params, String name, int fallback, long min, long max) {
    Object v = params.getValue(name);
    if (v == null) return fallback;
    long n = toLong(name, v);
    if (n < min || n > max) {
      throw WhiskfeedException.invalid("the " + name + " parameter must be between " + min + " and " + max);
    }
    return (int) n;
  }

  public static boolean bool(JsonObject params, String name, boolean fallback) {
    Object v = params.getValue(name);
    if (v == null) return fallback;
    if (v instanceof Boolean b) return b;
    if ("true".equals(v)) return true;
    if ("false".equals(v)) return false;
    throw WhiskfeedException.invalid("the " + name + " parameter must be true or false");
  }

  public static String string(JsonObject params, String name) {
    Object v = params.getValue(name);
    if (v == null) return null;
    if (!(v instanceof String s)) throw WhiskfeedException.invalid("the " + name + " parameter must be a string");
    return s;
  }

  static long toLong(String name, Object v) {
    String message = "the " + name + " parameter must be an integer";
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
    try {
      BigDecimal d;
      if (v instanceof Number num) d = new BigDecimal(num.toString());
      else if (v instanceof String s && s.strip().matches("-?\\d{1,18}")) d = new BigDecimal(s.strip());
      else throw WhiskfeedException.invalid(message);
      return d.longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw WhiskfeedException.invalid(message);
    }
  }
}
