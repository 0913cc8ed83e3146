package dev.whiskfeed.hooks;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import dev.whiskfeed.store.ExactJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * How a hook request's raw body is kept in its event, losslessly: {@code json} (the parsed value)
 * when it is declared JSON (or not declared) and parses; {@code text} (a string) when it is UTF-8;
 * {@code base64} for {@code application/octet-stream} and anything that is not UTF-8; {@code empty}
 * (null) for no body. Strings that Postgres {@code jsonb} cannot hold (U+0000, lone surrogates) push
 * a JSON body to text and a text body to base64.
 */
public record HookBody(Object value, Encoding encoding) {
  public enum Encoding {
    EMPTY, JSON, TEXT, BASE64;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static HookBody of(Buffer raw, String contentType) {
    if (raw == null || raw.length() == 0) return new HookBody(null, Encoding.EMPTY);
    String mime = mime(contentType);
    if (mime.equals("application/octet-stream")) return base64(raw);
    String text = utf8(raw.getBytes());
    if (text != null && (mime.isEmpty() || mime.equals("application/json") || mime.endsWith("+json"))) {
      try {
        // numbers exact, as with every other JSON whiskfeed keeps (Vert.x would round them to doubles)
        Object parsed = json(ExactJson.value(text));
        if (storable(parsed)) return new HookBody(parsed, Encoding.JSON);
      } catch (DecodeException e) {
        // not JSON after all: kept as text or bytes below
      }
    }
    return text != null && ExactJson.storable(text) ? new HookBody(text, Encoding.TEXT) : base64(raw);
  }

  @SuppressWarnings("unchecked")
  private static Object json(Object value) {
    if (value instanceof Map<?, ?> m) return new JsonObject((Map<String, Object>) m);
    if (value instanceof java.util.List<?> l) return new JsonArray((java.util.List<Object>) l);
    return value;
  }

  static String mime(String contentType) {
    if (contentType == null) return "";
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }

  private static HookBody base64(Buffer raw) {
    return new HookBody(Base64.getEncoder().encodeToString(raw.getBytes()), Encoding.BASE64);
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean storable(Object value) {
    if (value instanceof String s) return ExactJson.storable(s);
    if (value instanceof java.math.BigDecimal n) return ExactJson.storable(n);
    if (value instanceof JsonObject o) return storable(o.getMap());
    if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!ExactJson.storable(String.valueOf(e.getKey())) || !storable(e.getValue())) return false;
      }
      return true;
    }
    if (value instanceof JsonArray a) return storable(a.getList());
    if (value instanceof Iterable<?> list) {
      for (Object item : list) {
        if (!storable(item)) return false;
      }
    }
    return true;
  }
}
