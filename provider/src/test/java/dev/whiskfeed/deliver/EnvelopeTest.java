package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private static final UUID ID = UUID.fromString("0b0e6a47-2d3c-4a55-0000-000000000007");
  private static final Instant CREATED = Instant.parse("2026-11-22T06:00:00.123456Z");

  private static Target target(String kind) {
    return new Target(7, "guest", "orderChanged", kind, "key", "active", "control", 0, 12, 1, 60, 1, 1_000_000,
        false);
  }

  private static ClaimedEvent event(String op, JsonObject payload, int attempts) {
    return new ClaimedEvent(ID, 1, 7, op, payload, CREATED, attempts, 0, null, null);
  }

  @Test
  void aChangeIsHasurasEnvelopeWithNullSessionVariablesAndTraceContext() {
    JsonObject payload = new JsonObject("""
        {"table": {"schema": "public", "name": "orders"}, "data": {"old": null, "new": {"id": 1}}}""");
    JsonObject envelope = Envelope.of(event("INSERT", payload, 2), target("changes"));
    assertThat(envelope).isEqualTo(new JsonObject("""
        {"id": "0b0e6a47-2d3c-4a55-0000-000000000007", "created_at": "2026-11-22T06:00:00.123456Z",
         "trigger": {"name": "/guest/orderChanged"}, "table": {"schema": "public", "name": "orders"},
         "event": {"op": "INSERT", "data": {"old": null, "new": {"id": 1}},
                   "session_variables": null, "trace_context": null},
         "delivery_info": {"max_retries": 12, "current_retry": 2}}"""));
    // present as nulls on the wire, not left out
    assertThat(envelope.encode()).contains("\"session_variables\":null,\"trace_context\":null");
  }

  @Test
  void manualAndWebhookEventsCarryTheSameNullsAndNoTable() {
    for (String op : new String[] {"MANUAL", "WEBHOOK"}) {
      JsonObject envelope = Envelope.of(event(op, new JsonObject().put("data", new JsonObject().put("n", 1)), 0),
          target(op.equals("MANUAL") ? "changes" : "webhook"));
      JsonObject e = envelope.getJsonObject("event");
      assertThat(e.containsKey("session_variables")).isTrue();
      assertThat(e.getValue("session_variables")).isNull();
      assertThat(e.containsKey("trace_context")).isTrue();
      assertThat(e.getValue("trace_context")).isNull();
      assertThat(envelope.containsKey("table")).isFalse();
    }
  }

  @Test
  void anAlarmFiresItsPayloadAsIs() {
    JsonObject payload = new JsonObject().put("data", new JsonObject().put("name", "Odin"));
    assertThat(Envelope.of(event("ALARM", payload, 0), target("alarm"))).isEqualTo(new JsonObject().put("name", "Odin"));
  }
}
