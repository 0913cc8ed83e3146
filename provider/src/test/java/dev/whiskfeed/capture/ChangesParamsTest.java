package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.capture.ChangesParams.Mode;
import dev.whiskfeed.capture.ChangesParams.Op;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangesParamsTest {
  static ChangesParams parse(JsonObject params) {
    return ChangesParams.parse(params, params.fieldNames(), new JsonObject());
  }

  static JsonObject table(String t) {
    return new JsonObject().put("table", t);
  }

  static void rejects(JsonObject params, String message) {
    assertThatThrownBy(() -> parse(params)).isInstanceOf(WhiskfeedException.class).hasMessage(message);
  }

  @Test
  void defaults() {
    ChangesParams p = parse(table("orders"));
    assertThat(p.table().display()).isEqualTo("public.orders");
    assertThat(p.events()).isEqualTo(EnumSet.allOf(Op.class));
    assertThat(p.columns()).isEmpty();
    assertThat(p.payloadColumns()).isEmpty();
    assertThat(p.mode()).isEqualTo(Mode.LISTEN);
    assertThat(p.databaseRef().name()).isEqualTo("control");
  }

  @Test
  void eventsAreAnArrayOrACommaList() {
    assertThat(parse(table("t").put("events", "update, insert")).events()).containsExactly(Op.INSERT, Op.UPDATE);
    assertThat(parse(table("t").put("events", new JsonArray().add("delete"))).events()).containsExactly(Op.DELETE);
    rejects(table("t").put("events", "INSERT,TRUNCATE"),
        "the events parameter may name only INSERT, UPDATE and DELETE, not 'TRUNCATE'");
    rejects(table("t").put("events", ""), "the events parameter must name at least one of INSERT, UPDATE, DELETE");
    rejects(table("t").put("events", new JsonArray()), "the events parameter must name at least one of INSERT, UPDATE, DELETE");
    rejects(table("t").put("events", 3), "the events parameter must be an array or a comma-separated list of "
        + "INSERT, UPDATE, DELETE");
  }

  @Test
  void columnListsAllMeansEveryColumn() {
    assertThat(parse(table("t").put("columns", "a, b,a")).columns()).containsExactly("a", "b");
    assertThat(parse(table("t").put("columns", new JsonArray().add(" spaced "))).columns()).containsExactly(" spaced ");
    for (Object all : List.of("", "*", new JsonArray())) {
      assertThat(parse(table("t").put("payloadColumns", all)).payloadColumns()).isEmpty();
    }
    rejects(table("t").put("columns", "a,,b"), "the columns parameter has an empty column name");
    rejects(table("t").put("payloadColumns", new JsonArray().add(1)),
        "the payloadColumns parameter must list column names as strings");
  }

  @Test
  void sourceOrDatabaseNotBoth() {
    rejects(table("t").put("source", "a").put("database", "postgresql://u:p@h/db"),
        "give either the source parameter or the database parameter, not both");
    rejects(table("t").put("database", "http://x"), "the database parameter must be a Postgres URL "
        + "(postgresql://user:password@host:port/database): expected postgresql://user:pass@host:port/db");
    assertThat(parse(table("t").put("source", "orders")).databaseRef().name()).isEqualTo("source:orders");
    assertThat(parse(table("t").put("database", "postgresql://u:p@h/db")).databaseRef().name()).startsWith("db:");
  }

  @Test
  void onUpdateTheDatabaseComesFromTheStoredSecretUnlessTheRequestSetsIt() {
    JsonObject merged = table("t").put("database", "postgresql://u:***@h:5432/db").put("events", "INSERT");
    JsonObject secrets = new JsonObject().put("database", "postgresql://u:real@h:5432/db");
    assertThat(ChangesParams.parse(merged, Set.of("events"), secrets).database())
        .isEqualTo("postgresql://u:real@h:5432/db");
    assertThat(ChangesParams.parse(merged.copy().put("database", "postgresql://u:new@h:5432/db"), Set.of("database"),
        secrets).database()).isEqualTo("postgresql://u:new@h:5432/db");
  }

  @Test
  void modeAndPollInterval() {
    ChangesParams poll = parse(table("t").put("mode", "POLL").put("pollIntervalSec", "10"));
    assertThat(poll.mode()).isEqualTo(Mode.POLL);
    assertThat(poll.pollIntervalSec()).isEqualTo(10);
    assertThat(parse(table("t").put("mode", "poll")).pollIntervalSec()).isEqualTo(5);
    rejects(table("t").put("mode", "push"), "the mode parameter must be listen or poll, not 'push'");
    rejects(table("t").put("pollIntervalSec", 3), "the pollIntervalSec parameter applies to mode poll only");
    rejects(table("t").put("mode", "poll").put("pollIntervalSec", 0),
        "the pollIntervalSec parameter must be between 1 and 3600");
  }
}
