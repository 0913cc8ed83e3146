package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The body of a fire (API.md "Firing a trigger"): Hasura's event-trigger envelope for changes,
 * webhooks and manual events, {@code {"events": [...]}} for a batch, and an alarm's
 * {@code trigger_payload} as is.
 */
public final class Envelope {
  private Envelope() {}

  public static JsonObject of(ClaimedEvent e, Target t) {
    JsonObject payload = e.payload();
    if ("alarm".equals(t.kind())) return payload.getJsonObject("data", new JsonObject());
    JsonObject envelope = new JsonObject()
        .put("id", e.id().toString())
        .put("created_at", e.createdAt().toString())
        .put("trigger", new JsonObject().put("name", t.name()));
    if (payload.containsKey("table")) envelope.put("table", payload.getValue("table"));
    // Hasura's event carries the GraphQL session and trace that caused the change; a whiskfeed event
    // has neither, and says so with nulls (a handler for Hasura reads both keys as "object or null")
    return envelope
        .put("event", new JsonObject().put("op", e.op()).put("data", payload.getValue("data"))
            .put("session_variables", null).put("trace_context", null))
        .put("delivery_info", new JsonObject().put("max_retries", t.maxRetries()).put("current_retry", e.attempts()));
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
