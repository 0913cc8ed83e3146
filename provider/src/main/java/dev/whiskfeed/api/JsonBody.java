package dev.whiskfeed.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * Strict parsing of request bodies: well-formed UTF-8 JSON, an object at the top, no duplicate keys,
 * nesting at most {@value #MAX_DEPTH} deep. Anything else is a 400 that names the problem.
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
          depth--;
        }
      }
    } catch (IOException e) {
      throw new WhiskfeedException(ErrorCode.MALFORMED_JSON, firstLine(e.getMessage()));
    }
    return new JsonObject(body);
  }

  private static String firstLine(String message) {
    if (message == null) return "unreadable";
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
