package dev.whiskfeed.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.ExactJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict parsing of request bodies: well-formed UTF-8 JSON (RFC 8259 8.1; Jackson alone would guess
 * UTF-16 and let overlong or surrogate byte sequences through), an object at the top, no duplicate
 * keys, nesting at most {@value #MAX_DEPTH} deep, and no string that Postgres {@code jsonb} cannot
 * hold (U+0000, an unpaired surrogate, a number past {@link ExactJson#MAX_DIGITS} digits). Numbers
 * are kept exact. Anything else is a 400 that names the problem.
 */
public final class JsonBody {
  static final int MAX_DEPTH = 32;
  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private JsonBody() {}

  public static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) return new JsonObject();
    byte[] bytes = body.getBytes();
    requireUtf8(bytes);
    try (JsonParser parser = STRICT.createParser(bytes)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new WhiskfeedException(ErrorCode.MALFORMED_JSON, "the body must be a JSON object");
      }
      int depth = 1;
      for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (++depth > MAX_DEPTH) {
            throw new WhiskfeedException(ErrorCode.MALFORMED_JSON, "nested deeper than " + MAX_DEPTH + " levels");
          }
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          if (--depth == 0) break;
        } else if ((t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) && !ExactJson.storable(parser.getText())) {
          throw new WhiskfeedException(ErrorCode.MALFORMED_JSON,
              "a string holds U+0000 or an unpaired surrogate, which cannot be stored");
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT && !ExactJson.storable(parser.getDecimalValue())) {
          throw new WhiskfeedException(ErrorCode.MALFORMED_JSON, "a number has more than " + ExactJson.MAX_DIGITS
              + " digits before or after the point");
        }
      }
      if (parser.nextToken() != null) {
        throw new WhiskfeedException(ErrorCode.MALFORMED_JSON, "text after the JSON object");
      }
    } catch (IOException e) {
      throw new WhiskfeedException(ErrorCode.MALFORMED_JSON, firstLine(e.getMessage()));
    }
    // numbers exact: a fraction or an exponent beyond a double's range is kept as sent, never rounded
    return ExactJson.object(new String(bytes, StandardCharsets.UTF_8));
  }

  private static void requireUtf8(byte[] bytes) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = utf8.decode(in, CharBuffer.allocate(bytes.length), true);
    if (!result.isError()) result = utf8.flush(CharBuffer.allocate(0));
    if (result.isError()) {
      throw new WhiskfeedException(ErrorCode.MALFORMED_JSON, "it is not UTF-8 (bad byte at offset " + in.position() + ")");
    }
  }

  private static String firstLine(String message) {
    if (message == null) return "unreadable";
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
