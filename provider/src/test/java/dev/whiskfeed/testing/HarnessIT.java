package dev.whiskfeed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The harness itself: fresh databases, a restartable Postgres, and a stand-in that answers as scripted. */
class HarnessIT {

  @Nested
  @ExtendWith(PgExtension.class)
  class Databases {

    @Test
    void newDatabaseGivesSeparateUsableDatabases(TestPostgres postgres) {
      TestDatabase first = postgres.newDatabase();
      TestDatabase second = postgres.newDatabase("Orders-Test");

      first.execute("create table t (id int primary key, doc jsonb)");
      first.execute("insert into t values (?, ?::jsonb)", 1, "{\"a\": 1}");

      assertThat(first.name()).isNotEqualTo(second.name());
      assertThat(second.name()).startsWith("orders_test_");
      assertThat(first.queryLong("select count(*) from t")).isEqualTo(1);
      assertThat(first.query("select id, doc from t")).containsExactly(Map.of("id", 1, "doc", "{\"a\": 1}"));
      assertThat(second.queryLong("select count(*) from pg_tables where tablename = 't'")).isZero();
      assertThatThrownBy(() -> second.queryLong("select count(*) from t"))
          .isInstanceOfSatisfying(TestDatabase.SqlFailure.class, e -> assertThat(e.sqlState()).isEqualTo("42P01"));
    }

    @Test
    void urlsAndRolesWork(TestPostgres postgres) throws SQLException {
      TestDatabase db = postgres.newDatabase();
      db.createRole("harness_reader", "p@ss:word");
      db.createRole("harness_reader", "ignored");
      TestDatabase reader = db.as("harness_reader", "p@ss:word");

      assertThat(reader.url()).isEqualTo("postgresql://harness_reader:p%40ss%3Aword@" + postgres.host() + ":"
          + postgres.port() + "/" + db.name());
      assertThat(reader.jdbcUrl()).isEqualTo("jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/"
          + db.name());
      assertThat(reader.queryLong("select 7")).isEqualTo(7);
      assertThat(reader.query("select current_user as u")).extracting(row -> row.get("u"))
          .containsExactly("harness_reader");
      assertThatThrownBy(() -> db.as("harness_reader", "wrong").connect())
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("28"));
    }
  }

  @Nested
  class Restart {

    @Test
    void dedicatedPostgresKeepsDataAndPortAcrossRestart() throws SQLException {
      try (DedicatedPostgres pg = new DedicatedPostgres()) {
        pg.database().execute("create table kept (v text)");
        pg.database().execute("insert into kept values ('before')");
        int port = pg.port();

        pg.stop();
        assertThat(pg.isRunning()).isFalse();
        assertThatThrownBy(() -> pg.database().connect()).isInstanceOf(SQLException.class);

        pg.start();
        assertThat(pg.port()).isEqualTo(port);
        assertThat(pg.database().query("select v from kept")).extracting(row -> row.get("v"))
            .containsExactly("before");
        assertThat(pg.url()).isEqualTo("postgresql://postgres:postgres@localhost:" + port + "/postgres");
        TestDatabase other = pg.postgres().newDatabase();
        try (Connection c = other.connect()) {
          assertThat(c.isValid(1)).isTrue();
        }
      }
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class StandIn {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Vertx vertx;
    private StandInOpenWhisk openWhisk;

    @BeforeAll
    void start() {
      vertx = Vertx.vertx();
      openWhisk = StandInOpenWhisk.start(vertx);
    }

    @BeforeEach
    void reset() {
      openWhisk.reset();
    }

    @AfterAll
    void stop() {
      openWhisk.close();
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void firesAreAcceptedByDefaultAndRecorded() throws Exception {
      HttpResponse<String> response = fire("guest", "t1", "k1:secret", "{\"id\":\"e1\"}");

      assertThat(response.statusCode()).isEqualTo(202);
      String activationId = new JsonObject(response.body()).getString("activationId");
      assertThat(activationId).matches("[0-9a-f]{32}");
      assertThat(response.headers().firstValue("x-openwhisk-activation-id")).hasValue(activationId);

      Recorded fire = openWhisk.fires("guest", "t1").get(0);
      assertThat(fire.authKey()).isEqualTo("k1:secret");
      assertThat(fire.json().getString("id")).isEqualTo("e1");
      assertThat(fire.header("X-Whiskfeed-Event-Id")).isEqualTo("e1");
      assertThat(fire.status()).isEqualTo(202);
      assertThat(fire.activationId()).isEqualTo(activationId);
      assertThat(fire.answeredAt()).isAfterOrEqualTo(fire.receivedAt());
      assertThat(openWhisk.fireCount()).isEqualTo(1);
    }

    @Test
    void scriptedRepliesAreAnsweredInOrder() throws Exception {
      openWhisk.reply("guest", "t", Reply.status(404), Reply.status(429).withHeader("Retry-After", "2"),
          Reply.status(500), Reply.slow(Duration.ofMillis(300)), Reply.drop());
      openWhisk.defaultReply("guest", "t", Reply.noActiveRule());

      HttpResponse<String> notFound = fire("guest", "t", "k:k", "{}");
      assertThat(notFound.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(notFound.body()).getString("error")).isEqualTo("The requested resource does not exist.");
      HttpResponse<String> tooMany = fire("guest", "t", "k:k", "{}");
      assertThat(tooMany.statusCode()).isEqualTo(429);
      assertThat(tooMany.headers().firstValue("retry-after")).hasValue("2");
      assertThat(fire("guest", "t", "k:k", "{}").statusCode()).isEqualTo(500);
      assertThat(fire("guest", "t", "k:k", "{}").statusCode()).isEqualTo(202);
      assertThatThrownBy(() -> fire("guest", "t", "k:k", "{}")).isInstanceOf(IOException.class);
      HttpResponse<String> noRule = fire("guest", "t", "k:k", "{}");
      assertThat(noRule.statusCode()).isEqualTo(204);
      assertThat(noRule.body()).isEmpty();

      List<Recorded> fires = openWhisk.fires("guest", "t");
      assertThat(fires).extracting(Recorded::status).containsExactly(404, 429, 500, 202, Recorded.DROPPED, 204);
      Recorded slow = fires.get(3);
      assertThat(Duration.between(slow.receivedAt(), slow.answeredAt())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void timeoutNeverAnswers() {
      openWhisk.reply("guest", "t", Reply.timeout());
      HttpRequest request = fireRequest("guest", "t", "k:k", "{}").timeout(Duration.ofMillis(300)).build();

      assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(HttpTimeoutException.class);
      assertThat(openWhisk.fires()).extracting(Recorded::answered).containsExactly(false);
    }

    @Test
    void triggersRulesAndDeletion() throws Exception {
      openWhisk.rules("guest", "t", "r1", "other/r2");

      JsonObject trigger = new JsonObject(send("GET", "/api/v1/namespaces/guest/triggers/t", "k:k").body());
      assertThat(trigger.getString("name")).isEqualTo("t");
      assertThat(trigger.getJsonObject("rules").fieldNames()).containsExactlyInAnyOrder("guest/r1", "other/r2");
      assertThat(trigger.getJsonObject("rules").getJsonObject("guest/r1").getString("status")).isEqualTo("active");

      assertThat(send("DELETE", "/api/v1/namespaces/guest/rules/r1", "k:k").statusCode()).isEqualTo(200);
      trigger = new JsonObject(send("GET", "/api/v1/namespaces/guest/triggers/t", "k:k").body());
      assertThat(trigger.getJsonObject("rules").fieldNames()).containsExactly("other/r2");

      assertThat(send("DELETE", "/api/v1/namespaces/guest/triggers/t", "k:k").statusCode()).isEqualTo(200);
      assertThat(send("GET", "/api/v1/namespaces/guest/triggers/t", "k:k").statusCode()).isEqualTo(404);
      assertThat(fire("guest", "t", "k:k", "{}").statusCode()).isEqualTo(404);
      openWhisk.deleteTrigger("guest", "gone");
      assertThat(send("GET", "/api/v1/namespaces/guest/triggers/gone", "k:k").statusCode()).isEqualTo(404);
      assertThat(openWhisk.requests()).hasSize(7);
      assertThat(openWhisk.fireCount()).isEqualTo(1);
    }

    @Test
    void registeredKeysAreEnforced() throws Exception {
      openWhisk.registerKey("guest", "uuid1:key1");
      openWhisk.registerKey("other", "uuid2:key2");

      assertThat(fire("guest", "t", "uuid1:key1", "{}").statusCode()).isEqualTo(202);
      assertThat(fire("guest", "t", null, "{}").statusCode()).isEqualTo(401);
      assertThat(fire("guest", "t", "uuid9:nope", "{}").statusCode()).isEqualTo(401);
      HttpResponse<String> forbidden = fire("guest", "t", "uuid2:key2", "{}");
      assertThat(forbidden.statusCode()).isEqualTo(403);
      assertThat(new JsonObject(forbidden.body()).getString("code")).isNotBlank();
      assertThat(send("GET", "/api/v1/namespaces/guest/triggers/t", "uuid2:key2").statusCode()).isEqualTo(403);
      assertThat(fire("open", "t", "anything:goes", "{}").statusCode()).isEqualTo(202);
    }

    @Test
    void randomFailuresUseOnlyRetriableAnswers() throws Exception {
      openWhisk.failRandomly(1.0, 42);
      for (int i = 0; i < 20; i++) {
        try {
          fire("guest", "t", "k:k", "{}");
        } catch (IOException dropped) {
          // one of the failures
        }
      }
      Set<Integer> statuses = openWhisk.fires().stream().map(Recorded::status).collect(Collectors.toSet());
      assertThat(statuses).isSubsetOf(500, 502, 503, 429, Recorded.DROPPED).hasSizeGreaterThan(1);

      openWhisk.failRandomly(0, 42);
      assertThat(fire("guest", "t", "k:k", "{}").statusCode()).isEqualTo(202);
    }

    @Test
    void delayAllDelaysOnATimer() {
      openWhisk.delayAll(Duration.ofMillis(200));
      var answer = http.sendAsync(fireRequest("guest", "t", "k:k", "{}").build(), HttpResponse.BodyHandlers.ofString());

      await().atMost(Duration.ofSeconds(5)).until(() -> openWhisk.fireCount() == 1);
      assertThat(openWhisk.fires().get(0).answered()).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(answer::isDone);
      Recorded fire = openWhisk.fires().get(0);
      assertThat(fire.status()).isEqualTo(202);
      assertThat(Duration.between(fire.receivedAt(), fire.answeredAt())).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    private HttpResponse<String> fire(String ns, String trigger, String authKey, String body)
        throws IOException, InterruptedException {
      return http.send(fireRequest(ns, trigger, authKey, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder fireRequest(String ns, String trigger, String authKey, String body) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(openWhisk.url() + "/api/v1/namespaces/" + ns
              + "/triggers/" + trigger))
          .header("Content-Type", "application/json")
          .header("X-Whiskfeed-Event-Id", "e1")
          .POST(HttpRequest.BodyPublishers.ofString(body));
      return authKey == null ? request : request.header("Authorization", basic(authKey));
    }

    private HttpResponse<String> send(String method, String path, String authKey)
        throws IOException, InterruptedException {
      HttpRequest request = HttpRequest.newBuilder(URI.create(openWhisk.url() + path))
          .header("Authorization", basic(authKey))
          .method(method, HttpRequest.BodyPublishers.noBody())
          .build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String authKey) {
      return "Basic " + Base64.getEncoder().encodeToString(authKey.getBytes(StandardCharsets.UTF_8));
    }
  }
}
