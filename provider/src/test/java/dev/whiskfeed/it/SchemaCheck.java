package dev.whiskfeed.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The part of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that docs/openapi.yaml uses: {@code $ref}, {@code type}
 * (one or a list), {@code enum}, {@code const}, {@code required}, {@code properties}, {@code additionalProperties},
 * {@code minProperties}, {@code items}, {@code allOf}/{@code anyOf}/{@code oneOf}, {@code minimum}/{@code maximum},
 * {@code maxLength}, {@code pattern}, and the formats {@code uuid} and {@code date-time}. Any other keyword fails
 * the check, so the document cannot promise more than this test verifies.
 */
final class SchemaCheck {
  private static final java.util.Set<String> KNOWN = java.util.Set.of("$ref", "type", "enum", "const", "required",
      "properties", "additionalProperties", "minProperties", "items", "allOf", "anyOf", "oneOf", "minimum", "maximum",
      "maxLength", "pattern", "format", "description", "default", "example", "examples", "title");

  private final Function<String, Map<String, Object>> refs;

  /** {@code refs} resolves a {@code $ref} such as {@code #/components/schemas/Feed}. */
  SchemaCheck(Function<String, Map<String, Object>> refs) {
    this.refs = refs;
  }

  /** The problems of {@code value} against {@code schema}; empty when it conforms. */
  List<String> problems(Map<String, Object> schema, Object value) {
    List<String> out = new ArrayList<>();
    check(schema, plain(value), "$", out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private void check(Map<String, Object> schema, Object value, String at, List<String> out) {
    for (String keyword : schema.keySet()) {
      if (!KNOWN.contains(keyword)) out.add(at + ": schema keyword '" + keyword + "' is not checked by SchemaCheck");
    }
    if (schema.containsKey("$ref")) check(refs.apply((String) schema.get("$ref")), value, at, out);
    if (schema.containsKey("type") && !typeMatches(schema.get("type"), value)) {
      out.add(at + ": expected type " + schema.get("type") + ", got " + describe(value));
      return;
    }
    if (schema.containsKey("const") && !Objects.equals(plain(schema.get("const")), value)) {
      out.add(at + ": expected " + schema.get("const") + ", got " + value);
    }
    if (schema.containsKey("enum") && !((List<Object>) schema.get("enum")).contains(value)) {
      out.add(at + ": " + value + " is not one of " + schema.get("enum"));
    }
    combinators(schema, value, at, out);
    if (value instanceof Map<?, ?> map) object(schema, (Map<String, Object>) map, at, out);
    if (value instanceof List<?> list && schema.containsKey("items")) {
      for (int i = 0; i < list.size(); i++) {
        check((Map<String, Object>) schema.get("items"), list.get(i), at + "[" + i + "]", out);
      }
    }
    if (value instanceof Number n) number(schema, n, at, out);
    if (value instanceof String s) string(schema, s, at, out);
  }

  @SuppressWarnings("unchecked")
  private void combinators(Map<String, Object> schema, Object value, String at, List<String> out) {
    for (Object sub : (List<Object>) schema.getOrDefault("allOf", List.of())) {
      check((Map<String, Object>) sub, value, at, out);
    }
    for (String keyword : List.of("anyOf", "oneOf")) {
      if (!schema.containsKey(keyword)) continue;
      List<Object> options = (List<Object>) schema.get(keyword);
      List<List<String>> results = new ArrayList<>();
      for (Object sub : options) {
        List<String> problems = new ArrayList<>();
        check((Map<String, Object>) sub, value, at, problems);
        results.add(problems);
      }
      long passing = results.stream().filter(List::isEmpty).count();
      if (passing == 0 || keyword.equals("oneOf") && passing > 1) {
        out.add(at + ": " + passing + " of the " + keyword + " options match: " + results);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void object(Map<String, Object> schema, Map<String, Object> value, String at, List<String> out) {
    for (Object name : (List<Object>) schema.getOrDefault("required", List.of())) {
      if (!value.containsKey(name)) out.add(at + ": required property '" + name + "' is missing");
    }
    if (schema.containsKey("minProperties") && value.size() < ((Number) schema.get("minProperties")).intValue()) {
      out.add(at + ": fewer than " + schema.get("minProperties") + " properties");
    }
    Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
    Object additional = schema.get("additionalProperties");
    for (Map.Entry<String, Object> e : value.entrySet()) {
      Map<String, Object> sub = (Map<String, Object>) properties.get(e.getKey());
      if (sub != null) {
        check(sub, e.getValue(), at + "." + e.getKey(), out);
      } else if (Boolean.FALSE.equals(additional)) {
        out.add(at + ": property '" + e.getKey() + "' is not documented");
      } else if (additional instanceof Map<?, ?> schemaOfRest) {
        check((Map<String, Object>) schemaOfRest, e.getValue(), at + "." + e.getKey(), out);
      }
    }
  }

  private static void number(Map<String, Object> schema, Number n, String at, List<String> out) {
    BigDecimal v = new BigDecimal(n.toString());
    if (schema.get("minimum") instanceof Number min && v.compareTo(new BigDecimal(min.toString())) < 0) {
      out.add(at + ": " + n + " is below the minimum " + min);
    }
    if (schema.get("maximum") instanceof Number max && v.compareTo(new BigDecimal(max.toString())) > 0) {
      out.add(at + ": " + n + " is above the maximum " + max);
    }
  }

  private static void string(Map<String, Object> schema, String s, String at, List<String> out) {
    if (schema.get("maxLength") instanceof Number max && s.codePointCount(0, s.length()) > max.intValue()) {
      out.add(at + ": longer than " + max);
    }
    if (schema.get("pattern") instanceof String p && !Pattern.compile(p).matcher(s).find()) {
      out.add(at + ": '" + s + "' does not match " + p);
    }
    String format = (String) schema.get("format");
    try {
      if ("uuid".equals(format)) UUID.fromString(s);
      if ("date-time".equals(format)) OffsetDateTime.parse(s);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      out.add(at + ": '" + s + "' is not a " + format);
    }
  }

  @SuppressWarnings("unchecked")
  private static boolean typeMatches(Object type, Object value) {
    List<Object> types = type instanceof List<?> l ? (List<Object>) l : List.of(type);
    for (Object t : types) {
      boolean ok = switch ((String) t) {
        case "null" -> value == null;
        case "object" -> value instanceof Map;
        case "array" -> value instanceof List;
        case "string" -> value instanceof String;
        case "boolean" -> value instanceof Boolean;
        case "integer" -> isInteger(value);
        case "number" -> value instanceof Number;
        default -> throw new IllegalArgumentException("unknown type " + t);
      };
      if (ok) return true;
    }
    return false;
  }

  private static boolean isInteger(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof BigInteger) return true;
    if (v instanceof Number n) {
      try {
        new BigDecimal(n.toString()).toBigIntegerExact();
        return true;
      } catch (ArithmeticException | NumberFormatException e) {
        return false;
      }
    }
    return false;
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName() + " " + value;
  }

  /** Vert.x JSON values as plain maps and lists (what YAML gives for examples). */
  static Object plain(Object value) {
    if (value instanceof JsonObject o) return plain(o.getMap());
    if (value instanceof JsonArray a) return plain(a.getList());
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof List<?> l) return l.stream().map(SchemaCheck::plain).toList();
    return value;
  }
}
