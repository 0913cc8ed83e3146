package dev.whiskfeed.deliver;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The body of a fire (API.md "Firing a trigger"): Hasura's event-trigger envelope for changes,
 * webhooks and manual events, {@code {"events": [...]}} for a batch, and an alarm's
 * {@code trigger_payload} as is.
 */
public final class Envelope {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Buffer EMPTY_OBJECT = Buffer.buffer("{}");

  private Envelope() {}

  /**
   * The body of one event. The payload's {@code table} and {@code data} go in as the store printed
   * them (JSON text); only the envelope around them is written here.
   */
  public static Buffer of(ClaimedEvent e, Target t) {
    if ("alarm".equals(t.kind())) return e.data() == null ? EMPTY_OBJECT.copy() : Buffer.buffer(compact(e.data()));
    ByteArrayBuilder out = new ByteArrayBuilder(256 + (e.data() == null ? 0 : e.data().length()));
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("id", e.id().toString());
      g.writeStringField("created_at", e.createdAt().toString());
      g.writeObjectFieldStart("trigger");
      g.writeStringField("name", t.name());
      g.writeEndObject();
      if (e.table() != null) {
        g.writeFieldName("table");
        g.writeRawValue(compact(e.table()));
      }
      g.writeObjectFieldStart("event");
      g.writeStringField("op", e.op());
      g.writeFieldName("data");
      if (e.data() == null) g.writeNull(); else g.writeRawValue(compact(e.data()));
      // Hasura's event carries the GraphQL session and trace that caused the change; a whiskfeed
      // event has neither, and says so with nulls (a handler for Hasura reads both keys as "object or null")
      g.writeNullField("session_variables");
      g.writeNullField("trace_context");
      g.writeEndObject();
      g.writeObjectFieldStart("delivery_info");
      g.writeNumberField("max_retries", t.maxRetries());
      g.writeNumberField("current_retry", e.attempts());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return Buffer.buffer(out.toByteArray());
  }

  /**
   * JSON text as Postgres prints {@code jsonb} ({@code {"a": 1, "b": [2, 3]}}) without the blanks it
   * puts after colons and commas, as the rest of the body is written: one pass, nothing parsed.
   */
  static String compact(String json) {
    if (json.indexOf(' ') < 0) return json;
    StringBuilder out = new StringBuilder(json.length());
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\') out.append(json.charAt(++i));
        else if (c == '"') inString = false;
      } else if (c != ' ') {
        out.append(c);
        if (c == '"') inString = true;
      }
    }
    return out.toString();
  }

  public static Buffer body(List<Buffer> envelopes, boolean batch) {
    if (!batch) return envelopes.get(0);
    Buffer out = Buffer.buffer("{\"events\":[");
    for (int i = 0; i < envelopes.size(); i++) {
      if (i > 0) out.appendString(",");
      out.appendBuffer(envelopes.get(i));
    }
    return out.appendString("]}");
  }

  /** Unused by the engine; handy for tests and listings. */
  public static JsonObject batch(List<JsonObject> envelopes) {
    return new JsonObject().put("events", new JsonArray(List.copyOf(envelopes)));
  }
}
