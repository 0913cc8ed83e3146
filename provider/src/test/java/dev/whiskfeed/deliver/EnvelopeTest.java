package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.ExactJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private static final UUID ID = UUID.fromString("0b0e6a47-2d3c-4a55-0000-000000000007");
  private static final Instant CREATED = Instant.parse("2026-11-22T06:00:00.123456Z");

  private static Target target(String kind) {
    return new Target(7, "guest", "orderChanged", kind, "key", "active", "control", 0, 12, 1, 60, 1, 1_000_000,
        false);
  }

  // table and data as Postgres prints jsonb
  private static ClaimedEvent event(String op, String table, String data, int attempts) {
    return new ClaimedEvent(ID, 1, 7, op, table, data, CREATED, attempts, 0, null, null, 0);
  }

  @Test
  void aChangeIsHasurasEnvelopeWithNullSessionVariablesAndTraceContext() {
    Buffer body = Envelope.of(event("INSERT", "{\"name\": \"orders\", \"schema\": \"public\"}",
        "{\"new\": {\"id\": 1}, \"old\": null}", 2), target("changes"));
    assertThat(new JsonObject(body)).isEqualTo(new JsonObject("""
        {"id": "0b0e6a47-2d3c-4a55-0000-000000000007", "created_at": "2026-11-22T06:00:00.123456Z",
         "trigger": {"name": "/guest/orderChanged"}, "table": {"schema": "public", "name": "orders"},
         "event": {"op": "INSERT", "data": {"old": null, "new": {"id": 1}},
                   "session_variables": null, "trace_context": null},
         "delivery_info": {"max_retries": 12, "current_retry": 2}}"""));
    // present as nulls on the wire, not left out
    assertThat(body.toString()).contains("\"session_variables\":null,\"trace_context\":null");
  }

  @Test
  void thePayloadGoesOutAsStoredWithEveryDigitAndCharacter() {
    String data = "{\"new\": {\"n\": 12345678901234567890.123456789, \"big\": 9007199254740993, "
        + "\"s\": \"quote \\\" backslash \\\\ tab \\t \u00e9\u6f22 \uD83D\uDE00\"}, \"old\": null}";
    Buffer body = Envelope.of(event("INSERT", null, data, 0), target("changes"));
    Map<?, ?> sent = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ExactJson.value(body.toString())).get("event")).get("data");
    Map<?, ?> row = (Map<?, ?>) sent.get("new");
    assertThat(row.get("n")).isEqualTo(new BigDecimal("12345678901234567890.123456789"));
    assertThat(row.get("big")).hasToString("9007199254740993");
    assertThat(row.get("s")).isEqualTo("quote \" backslash \\ tab \t \u00e9\u6f22 \uD83D\uDE00");
    assertThat(body.toString()).contains("12345678901234567890.123456789");
  }

  @Test
  void thePayloadIsWrittenWithoutTheBlanksPostgresPrintsButKeepsThoseInItsStrings() {
    Buffer body = Envelope.of(event("INSERT", "{\"name\": \"orders\", \"schema\": \"public\"}",
        "{\"new\": {\"a\": [1, 2], \"s\": \"x, y: \\\" z \"}, \"old\": null}", 0), target("changes"));
    assertThat(body.toString()).contains("\"table\":{\"name\":\"orders\",\"schema\":\"public\"}")
        .contains("\"data\":{\"new\":{\"a\":[1,2],\"s\":\"x, y: \\\" z \"},\"old\":null}");
    assertThat(Envelope.of(event("ALARM", null, "{\"name\": \"Odin Allfather\"}", 0), target("alarm")).toString())
        .isEqualTo("{\"name\":\"Odin Allfather\"}");
  }

  @Test
  void stringsTheEnvelopeWritesAreEscapedAndUtf8() {
    String trigger = "q\"uo\\te\ttab \u00e9\u6f22 \uD83D\uDE00";
    Target t = new Target(7, "guest", trigger, "changes", "key", "active", "control", 0, 12, 1, 60, 1, 1_000_000, false);
    Buffer body = Envelope.of(event("INSERT", null, "{\"s\": \"\u00e9 \\\" x\"}", 0), t);
    JsonObject sent = new JsonObject(body);
    assertThat(sent.getJsonObject("trigger").getString("name")).isEqualTo("/guest/" + trigger);
    assertThat(sent.getJsonObject("event").getJsonObject("data").getString("s")).isEqualTo("\u00e9 \" x");
    assertThat(body.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\u6f22 \uD83D\uDE00");
  }

  @Test
  void manualAndWebhookEventsCarryTheSameNullsAndNoTable() {
    for (String op : new String[] {"MANUAL", "WEBHOOK"}) {
      JsonObject envelope = new JsonObject(Envelope.of(event(op, null, "{\"n\": 1}", 0),
          target(op.equals("MANUAL") ? "changes" : "webhook")));
      JsonObject e = envelope.getJsonObject("event");
      assertThat(e.getJsonObject("data")).isEqualTo(new JsonObject().put("n", 1));
      assertThat(e.containsKey("session_variables")).isTrue();
      assertThat(e.getValue("session_variables")).isNull();
      assertThat(e.containsKey("trace_context")).isTrue();
      assertThat(e.getValue("trace_context")).isNull();
      assertThat(envelope.containsKey("table")).isFalse();
    }
  }

  @Test
  void anAlarmFiresItsPayloadAsIs() {
    assertThat(new JsonObject(Envelope.of(event("ALARM", null, "{\"name\": \"Odin\"}", 0), target("alarm"))))
        .isEqualTo(new JsonObject().put("name", "Odin"));
    assertThat(Envelope.of(event("ALARM", null, null, 0), target("alarm")).toString()).isEqualTo("{}");
  }

  @Test
  void aBatchIsTheEnvelopesInOrder() {
    Buffer a = Envelope.of(event("MANUAL", null, "{\"n\": 1}", 0), target("webhook"));
    Buffer b = Envelope.of(event("MANUAL", null, "{\"n\": 2}", 0), target("webhook"));
    JsonObject batch = new JsonObject(Envelope.body(List.of(a, b), true));
    assertThat(batch.getJsonArray("events")).hasSize(2);
    assertThat(batch.getJsonArray("events").getJsonObject(1).getJsonObject("event").getJsonObject("data"))
        .isEqualTo(new JsonObject().put("n", 2));
    assertThat(Envelope.body(List.of(a), false)).isSameAs(a);
  }
}
