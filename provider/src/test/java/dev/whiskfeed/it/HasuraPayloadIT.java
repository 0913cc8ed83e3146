package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/migration.md "From Hasura event triggers", checked: a handler written for Hasura's documented
 * event-trigger payload (and nothing else) handles whiskfeed's real fires, and each difference the
 * page lists is what a fire shows. This class captures with triggers; {@link HasuraPayloadWalIT}
 * runs every case reading the write-ahead log.
 */
@ExtendWith(PgExtension.class)
class HasuraPayloadIT extends WithStandInOpenWhisk {
  TestDatabase db;
  ChangesFixture f;

  String capture() {
    return "trigger";
  }

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("hasura");
    db.execute("CREATE TABLE public.users (id bigint PRIMARY KEY, email text, name text, credits numeric)");
    f = new ChangesFixture(openwhisk, db, Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  JsonObject changes(String table) {
    return ChangesFixture.changes(table).put("capture", capture());
  }

  /**
   * A webhook handler as one writes it from Hasura's payload documentation: every documented key is
   * read (a key that is missing is an error, as in a typed client generated from the docs),
   * {@code session_variables} and {@code trace_context} are "object or null", {@code op} is one of
   * Hasura's four.
   */
  static final class HasuraHandler {
    static final Set<String> OPS = Set.of("INSERT", "UPDATE", "DELETE", "MANUAL");

    record Handled(UUID id, OffsetDateTime createdAt, String trigger, String schema, String table, String op,
                   JsonObject oldRow, JsonObject newRow, String role, String traceId, int currentRetry,
                   int maxRetries) {}

    Handled handle(JsonObject payload) {
      JsonObject event = object(payload, "event");
      String op = text(event, "op");
      if (!OPS.contains(op)) throw new IllegalArgumentException("not a Hasura op: " + op);
      JsonObject data = object(event, "data");
      JsonObject session = objectOrNull(event, "session_variables");
      JsonObject trace = objectOrNull(event, "trace_context");
      JsonObject table = object(payload, "table");
      JsonObject deliveryInfo = object(payload, "delivery_info");
      return new Handled(UUID.fromString(text(payload, "id")), OffsetDateTime.parse(text(payload, "created_at")),
          text(object(payload, "trigger"), "name"), text(table, "schema"), text(table, "name"), op,
          objectOrNull(data, "old"), objectOrNull(data, "new"),
          session == null ? null : session.getString("x-hasura-role"),
          trace == null ? null : trace.getString("trace_id"),
          number(deliveryInfo, "current_retry"), number(deliveryInfo, "max_retries"));
    }

    private static Object required(JsonObject o, String key) {
      if (!o.containsKey(key)) throw new IllegalArgumentException("missing " + key + " in " + o.encode());
      return o.getValue(key);
    }

    private static JsonObject object(JsonObject o, String key) {
      JsonObject v = objectOrNull(o, key);
      if (v == null) throw new IllegalArgumentException(key + " is null");
      return v;
    }

    private static JsonObject objectOrNull(JsonObject o, String key) {
      Object v = required(o, key);
      if (v != null && !(v instanceof JsonObject)) throw new IllegalArgumentException(key + " is not an object: " + v);
      return (JsonObject) v;
    }

    private static String text(JsonObject o, String key) {
      if (!(required(o, key) instanceof String s)) throw new IllegalArgumentException(key + " is not a string");
      return s;
    }

    private static int number(JsonObject o, String key) {
      if (!(required(o, key) instanceof Number n)) throw new IllegalArgumentException(key + " is not a number");
      return n.intValue();
    }
  }

  final HasuraHandler handler = new HasuraHandler();

  @Test
  void aHandlerWrittenForHasurasPayloadHandlesInsertUpdateAndDelete() {
    f.create("userChanged", changes("public.users").put("maxRetries", 5));
    db.execute("INSERT INTO public.users VALUES (1, 'ada@example.com', 'Ada', 9.50)");
    db.execute("UPDATE public.users SET name = 'Ada L.' WHERE id = 1");
    db.execute("DELETE FROM public.users WHERE id = 1");

    List<HasuraHandler.Handled> handled = f.awaitFires("userChanged", 3).stream().map(handler::handle).toList();
    assertThat(handled).extracting(HasuraHandler.Handled::op).containsExactlyInAnyOrder("INSERT", "UPDATE", "DELETE");
    for (HasuraHandler.Handled h : handled) {
      assertThat(h.schema()).isEqualTo("public");
      assertThat(h.table()).isEqualTo("users");
      assertThat(h.trigger()).as("trigger.name is /namespace/trigger").isEqualTo("/guest/userChanged");
      assertThat(h.role()).as("session_variables is null").isNull();
      assertThat(h.traceId()).as("trace_context is null").isNull();
      assertThat(h.currentRetry()).isZero();
      assertThat(h.maxRetries()).as("max_retries is the feed's maxRetries").isEqualTo(5);
      assertThat(h.createdAt().getOffset().getTotalSeconds()).isZero();
    }
    HasuraHandler.Handled insert = one(handled, "INSERT");
    assertThat(insert.oldRow()).isNull();
    assertThat(insert.newRow()).isEqualTo(new JsonObject("{\"id\":1,\"email\":\"ada@example.com\",\"name\":\"Ada\","
        + "\"credits\":9.50}"));
    HasuraHandler.Handled update = one(handled, "UPDATE");
    assertThat(update.oldRow().getString("name")).isEqualTo("Ada");
    assertThat(update.newRow().getString("name")).isEqualTo("Ada L.");
    HasuraHandler.Handled delete = one(handled, "DELETE");
    assertThat(delete.oldRow().getString("name")).isEqualTo("Ada L.");
    assertThat(delete.newRow()).isNull();
    assertThat(handled).extracting(HasuraHandler.Handled::id).doesNotHaveDuplicates();
  }

  @Test
  void aRetryCarriesTheSameIdAndCountsInDeliveryInfo() {
    f.create("t", changes("public.users").put("maxRetries", 3).put("retryIntervalSec", 1));
    openwhisk.reply("guest", "t", Reply.status(503));
    db.execute("INSERT INTO public.users (id) VALUES (2)");

    List<HasuraHandler.Handled> handled = f.awaitFires("t", 2).stream().map(handler::handle).toList();
    assertThat(handled.get(1).id()).isEqualTo(handled.get(0).id());
    assertThat(handled).extracting(HasuraHandler.Handled::currentRetry).containsExactly(0, 1);
    assertThat(handled).extracting(HasuraHandler.Handled::maxRetries).containsOnly(3);
  }

  @Test
  void whatMigrationMdListsAsDifferentIsWhatTheFiresShow() {
    f.create("t", changes("public.users").put("events", new JsonArray(List.of("INSERT", "DELETE"))));

    // MANUAL: data is the posted object, and there is no table
    Api.Response posted = f.api.event("guest", "t", new JsonObject().put("hello", "world"));
    assertThat(posted.status()).as(posted.body()).isEqualTo(202);
    JsonObject manual = awaitFire("t", e -> op(e).equals("MANUAL"));
    assertThat(manual.getJsonObject("event").getJsonObject("data")).isEqualTo(new JsonObject().put("hello", "world"));
    assertThat(manual.containsKey("table")).isFalse();
    assertThatThrownBy(() -> handler.handle(manual)).hasMessageStartingWith("missing");

    // TRUNCATE, for a feed that takes DELETE: an op Hasura never sends, no rows
    db.execute("INSERT INTO public.users (id) VALUES (3)");
    db.execute("TRUNCATE public.users");
    JsonObject truncate = awaitFire("t", e -> op(e).equals("TRUNCATE"));
    assertThat(truncate.getJsonObject("event").getJsonObject("data"))
        .isEqualTo(new JsonObject().put("old", null).put("new", null));
    assertThatThrownBy(() -> handler.handle(truncate)).hasMessage("not a Hasura op: TRUNCATE");

    // batchSize above 1: {"events": [envelope, …]}, each envelope Hasura's
    f.update("t", new JsonObject().put("batchSize", 10));
    assertThat(f.api.pause("guest", "t").status()).isEqualTo(200);
    db.execute("INSERT INTO public.users (id) VALUES (4), (5)");
    await().atMost(ChangesFixture.WAIT)
        .until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'pending'") == 2);
    assertThat(f.api.unpause("guest", "t").status()).isEqualTo(200);
    await().atMost(ChangesFixture.WAIT).until(() -> batched("t").size() == 2);
    assertThat(f.fires("t").stream().filter(e -> e.containsKey("events"))).allMatch(e -> !e.containsKey("event"));
    assertThat(batched("t").stream().map(e -> handler.handle(e).newRow().getLong("id"))).containsExactlyInAnyOrder(4L, 5L);
  }

  private JsonObject awaitFire(String trigger, java.util.function.Predicate<JsonObject> which) {
    await().atMost(ChangesFixture.WAIT).until(() -> f.fires(trigger).stream().anyMatch(which));
    return f.fires(trigger).stream().filter(which).findFirst().orElseThrow();
  }

  /** The envelopes of every batch fired at {@code trigger} so far. */
  private List<JsonObject> batched(String trigger) {
    return f.fires(trigger).stream().filter(e -> e.containsKey("events"))
        .flatMap(e -> e.getJsonArray("events").stream().map(JsonObject.class::cast)).toList();
  }

  private static String op(JsonObject envelope) {
    JsonObject event = envelope.getJsonObject("event");
    return event == null ? "" : event.getString("op");
  }

  private static HasuraHandler.Handled one(List<HasuraHandler.Handled> handled, String op) {
    return handled.stream().filter(h -> h.op().equals(op)).findFirst().orElseThrow();
  }
}
