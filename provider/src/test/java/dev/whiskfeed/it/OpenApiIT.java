package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.OpenApiDocument.Operation;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/openapi.yaml against the real router of a provider: every documented operation is served and answers only
 * documented statuses, with bodies that match the documented schemas; the routes around the documented ones are
 * not served; error bodies are the Error schema.
 *
 * <p>"Served" means the answer is not the router's own: neither 405 nor a 404 {@code not_found} whose message starts
 * with {@code no such resource}. There is one test factory per tag of the document (lifecycle, hooks, operations,
 * admin) and one dynamic test per operation, so a failure names the operation.
 */
@ExtendWith(PgExtension.class)
class OpenApiIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:openApiKey";
  static final List<String> TAGS = List.of("lifecycle", "hooks", "operations", "admin");
  static final Set<String> PROBED_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH");
  /** Sample values of path parameters: an unknown feed, event and hook, so that probes change nothing. */
  static final Map<String, String> SAMPLES = Map.of("ns", "guest", "trigger", "openapi-probe",
      "eventId", "0b7cd3a4-5d7e-4f3a-9a51-6c1d2e3f4a5b", "token", "unknown-hook-token");

  static OpenApiDocument doc;
  static Vertx vertx;
  static StandInOpenWhisk openwhisk;
  static Provider provider;

  @BeforeAll
  static void start(TestPostgres pg) {
    doc = OpenApiDocument.load();
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
    provider = TestProvider.start(pg.newDatabase("openapi"), openwhisk.url(),
        Map.of("WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN));
  }

  @AfterAll
  static void stop() throws Exception {
    if (provider != null) provider.close();
    if (openwhisk != null) openwhisk.close();
    if (vertx != null) vertx.close();
  }

  // ---- the document itself

  @Test
  void everyOperationHasOneKnownTagAndStatesItsSecurity() {
    assertThat(doc.operations()).isNotEmpty();
    for (Operation op : doc.operations()) {
      assertThat(op.tag()).as("the one tag of %s", op).isIn(TAGS);
      assertThat(op.security()).as("security of %s (state [] for a public one)", op).isNotNull();
      assertThat(op.responses().keySet()).as("responses of %s", op).allMatch(k -> k.matches("[1-5][0-9X]{2}"));
      for (String name : op.pathParameters()) {
        assertThat(SAMPLES).as("a sample value for {%s} of %s", name, op).containsKey(name);
      }
    }
  }

  @Test
  void documentedExamplesMatchTheirSchemas() {
    List<String> problems = new ArrayList<>();
    doc.forEachExample((where, example) -> doc.problems(example.getKey(), example.getValue())
        .forEach(p -> problems.add(where + " " + p)));
    assertThat(problems).isEmpty();
  }

  // ---- every documented operation is served, answers documented statuses and bodies

  @TestFactory
  Stream<DynamicTest> servedLifecycle() {
    return served("lifecycle");
  }

  @TestFactory
  Stream<DynamicTest> servedHooks() {
    return served("hooks");
  }

  @TestFactory
  Stream<DynamicTest> servedOperations() {
    return served("operations");
  }

  @TestFactory
  Stream<DynamicTest> servedAdmin() {
    return served("admin");
  }

  private Stream<DynamicTest> served(String tag) {
    List<Operation> ops = doc.operations().stream().filter(op -> tag.equals(op.tag())).toList();
    assertThat(ops).as("operations tagged %s", tag).isNotEmpty();
    return ops.stream().map(op -> DynamicTest.dynamicTest(op.toString(), () -> {
      Api.Response answer = call(op.method(), concrete(op), op.hasBody() ? "{}" : null, credentials(op));
      assertServed(op, answer);
      assertDocumented(op, answer);
      if (!op.security().isEmpty()) {
        Api.Response anonymous = call(op.method(), concrete(op), op.hasBody() ? "{}" : null, null);
        assertThat(anonymous.status()).as("%s without credentials: %s", op, anonymous.body()).isEqualTo(401);
        assertDocumented(op, anonymous);
      }
    }));
  }

  // ---- nothing undocumented is served

  @Test
  void routesAroundTheDocumentedOnesAreNotServed() {
    List<String> served = new ArrayList<>();
    for (Operation op : doc.operations()) {
      Set<String> documented = doc.operations().stream().filter(o -> o.path().equals(op.path()))
          .map(Operation::method).collect(java.util.stream.Collectors.toSet());
      for (String method : PROBED_METHODS) {
        if (documented.contains(method) || documentedTemplate(method, concrete(op))) continue;
        Api.Response answer = call(method, concrete(op), "{}", credentials(op));
        if (isServed(answer)) served.add(method + " " + concrete(op) + " -> " + answer.status() + " " + answer.body());
      }
    }
    String bearer = "Bearer " + TestProvider.ADMIN_TOKEN;
    for (String probe : List.of("GET /", "GET /api", "GET /api/v1", "GET /api/v1/feeds", "GET /api/v1/feeds/guest",
        "GET /api/v1/feeds/guest/t/x", "POST /api/v1/feeds/guest/t/disable", "POST /api/v1/feeds/guest/t/enable",
        "GET /api/v1/feeds/guest/t/events/" + SAMPLES.get("eventId") + "/x",
        "POST /api/v1/feeds/guest/t/events/" + SAMPLES.get("eventId"), "GET /api/v1/namespaces/guest/triggers/t",
        "GET /api/v1/admin", "GET /api/v1/admin/feeds/guest", "POST /api/v1/admin/feeds/guest/t/pause",
        "GET /api/v1/admin/events/x/y", "POST /api/v1/admin/events/" + SAMPLES.get("eventId"),
        "GET /api/v1/admin/stores/control", "GET /hooks", "POST /hooks",
        "POST /hooks/a/b", "GET /ping/x", "GET /health/x", "GET /metrics/x", "GET /openapi.yaml")) {
      String[] parts = probe.split(" ");
      Api.Response answer = call(parts[0], parts[1], parts[0].equals("POST") ? "{}" : null,
          parts[1].startsWith("/api/v1/admin") ? bearer : basic());
      if (isServed(answer)) served.add(probe + " -> " + answer.status() + " " + answer.body());
    }
    assertThat(served).as("served but not in " + OpenApiDocument.FILE).isEmpty();
  }

  // ---- errors

  @Test
  void errorBodiesMatchTheErrorSchema() {
    Operation create = operation("POST", "/api/v1/feeds/{ns}/{trigger}");
    Operation read = operation("GET", "/api/v1/feeds/{ns}/{trigger}");
    Operation events = operation("GET", "/api/v1/feeds/{ns}/{trigger}/events");
    Operation redeliver = operation("POST", "/api/v1/feeds/{ns}/{trigger}/events/{eventId}/redeliver");
    String feed = "/api/v1/feeds/guest/errors";

    expectError(create, call("POST", feed, "{\"kind\":", basic()), 400, "malformed_json");
    expectError(create, call("POST", feed, "{}", basic()), 400, "invalid_parameter");
    expectError(create, call("POST", feed, "{\"kind\":\"webhook\",\"nope\":1}", basic()), 400, "unknown_parameter");
    expectError(create, call("POST", "/api/v1/feeds/_/errors", "{\"kind\":\"webhook\"}", basic()), 400,
        "namespace_unresolved");
    expectError(create, send("POST", feed, "kind=webhook", "text/plain", basic()), 415, "unsupported_media_type");
    expectError(create, call("POST", feed, "{\"x\":\"" + "a".repeat(1_100_000) + "\"}", basic()), 413,
        "payload_too_large");
    expectError(create, call("POST", feed, "{\"kind\":\"webhook\"}", null), 401, "unauthorized");
    expectError(read, call("GET", feed, null, basic()), 404, "feed_not_found");
    expectError(events, call("GET", feed + "/events?state=lost", null, basic()), 400, "invalid_parameter");
    expectError(events, call("GET", feed + "/events?limit=0", null, basic()), 400, "invalid_parameter");
    expectError(redeliver, call("POST", feed + "/events/not-a-uuid/redeliver", null, basic()), 400,
        "invalid_parameter");
    // the router's own answers are errors of the same shape
    expectError(null, call("GET", "/api/v1/nothing", null, basic()), 404, "not_found");
    expectError(null, call("PATCH", feed, "{}", basic()), 405, "method_not_allowed");
  }

  // ---- success bodies

  @Test
  void lifecycleAnswersMatchTheirSchemas() {
    String feed = "/api/v1/feeds/guest/schemas";
    expect(operation("POST", "/api/v1/feeds/{ns}/{trigger}"), call("POST", feed,
        "{\"kind\":\"webhook\",\"maxRetries\":0}", basic()), 200);
    expect(operation("GET", "/api/v1/feeds/{ns}/{trigger}"), call("GET", feed, null, basic()), 200);
    expect(operation("PUT", "/api/v1/feeds/{ns}/{trigger}"), call("PUT", feed, "{\"batchSize\":2}", basic()), 200);
    Api.Response posted = call("POST", feed + "/events", "{\"n\":1}", basic());
    expect(operation("POST", "/api/v1/feeds/{ns}/{trigger}/events"), posted, 202);
    expect(operation("POST", "/api/v1/feeds/{ns}/{trigger}/pause"), call("POST", feed + "/pause", null, basic()), 200);
    expect(operation("GET", "/api/v1/feeds/{ns}/{trigger}/events"), call("GET", feed + "/events", null, basic()), 200);
    String eventId = posted.json().getString("eventId");
    Api.Response redelivered = call("POST", feed + "/events/" + eventId + "/redeliver", null, basic());
    expect(operation("POST", "/api/v1/feeds/{ns}/{trigger}/events/{eventId}/redeliver"), redelivered,
        redelivered.status() == 409 ? 409 : 200);
    expect(operation("POST", "/api/v1/feeds/{ns}/{trigger}/unpause"), call("POST", feed + "/unpause", null, basic()),
        200);
    expect(operation("DELETE", "/api/v1/feeds/{ns}/{trigger}"), call("DELETE", feed, null, basic()), 200);
  }

  @Test
  void adminAnswersMatchTheirSchemas() {
    assertThat(call("POST", "/api/v1/feeds/guest/admin-schemas", "{\"kind\":\"webhook\"}", basic()).status())
        .isEqualTo(200);
    String admin = "/api/v1/admin/feeds/guest/admin-schemas";
    String bearer = "Bearer " + TestProvider.ADMIN_TOKEN;
    expect(operation("GET", "/api/v1/admin/feeds/{ns}/{trigger}"), call("GET", admin, null, bearer), 200);
    expect(operation("POST", "/api/v1/admin/feeds/{ns}/{trigger}/disable"),
        call("POST", admin + "/disable", "{\"message\":\"maintenance\"}", bearer), 200);
    expect(operation("GET", "/api/v1/admin/feeds"), call("GET", "/api/v1/admin/feeds?state=disabled", null, bearer),
        200);
    expect(operation("POST", "/api/v1/admin/feeds/{ns}/{trigger}/enable"), call("POST", admin + "/enable", null,
        bearer), 200);
    expect(operation("POST", "/api/v1/admin/events/redeliver"), call("POST", "/api/v1/admin/events/redeliver",
        "{\"feed\":\"/guest/admin-schemas\"}", bearer), 200);
    expect(operation("GET", "/api/v1/admin/events"), call("GET", "/api/v1/admin/events?limit=5", null, bearer), 200);
    expect(operation("GET", "/api/v1/admin/stores"), call("GET", "/api/v1/admin/stores", null, bearer), 200);
    expectError(operation("GET", "/api/v1/admin/stores"), call("GET", "/api/v1/admin/stores", null, "Bearer wrong"),
        401, "unauthorized");
  }

  // ---- assertions

  private static void assertServed(Operation op, Api.Response answer) {
    if (!isServed(answer)) fail(op + " is documented but not served: " + answer.status() + " " + answer.body());
  }

  /** The status is documented for the operation, with the answer's media type, and the body matches its schema. */
  private static void assertDocumented(Operation op, Api.Response answer) {
    Map<String, Object> response = doc.response(op, answer.status());
    assertThat(response).as("%s answered %s, which it does not document: %s", op, answer.status(), answer.body())
        .isNotNull();
    Map<String, Object> content = doc.content(response);
    if (content.isEmpty()) return;
    String type = answer.headers().firstValue("Content-Type").orElse("").split(";")[0].trim().toLowerCase(Locale.ROOT);
    Object media = content.containsKey(type) ? content.get(type) : content.get("*/*");
    assertThat(media).as("%s %s answered Content-Type %s; documented: %s", op, answer.status(), type, content.keySet())
        .isNotNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) media).get("schema");
    if (schema != null && type.equals("application/json")) {
      assertThat(doc.problems(schema, parse(answer.body())))
          .as("%s %s body %s", op, answer.status(), answer.body()).isEmpty();
    }
  }

  private static void expect(Operation op, Api.Response answer, int status) {
    assertThat(answer.status()).as("%s: %s", op, answer.body()).isEqualTo(status);
    assertDocumented(op, answer);
  }

  private static void expectError(Operation op, Api.Response answer, int status, String code) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(doc.problems(doc.schema("Error"), parse(answer.body()))).as(answer.body()).isEmpty();
    assertThat(answer.code()).isEqualTo(code);
    if (op != null) assertDocumented(op, answer);
  }

  static boolean isServed(Api.Response answer) {
    if (answer.status() == 405) return false;
    if (answer.status() != 404) return true;
    try {
      JsonObject body = answer.json();
      return !("not_found".equals(body.getString("code")) && body.getString("error", "").startsWith("no such resource"));
    } catch (DecodeException e) {
      return true;
    }
  }

  // ---- requests

  private static Operation operation(String method, String path) {
    return doc.operations().stream().filter(op -> op.method().equals(method) && op.path().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError(method + " " + path + " is not in " + OpenApiDocument.FILE));
  }

  /** Whether another documented operation of {@code method} serves {@code path} (e.g. a path parameter matches it). */
  private boolean documentedTemplate(String method, String path) {
    return doc.operations().stream().filter(o -> o.method().equals(method))
        .anyMatch(o -> path.matches(o.path().replaceAll("\\{[^}]+}", "[^/]+")));
  }

  private static String concrete(Operation op) {
    String path = op.path();
    for (String name : op.pathParameters()) path = path.replace("{" + name + "}", SAMPLES.get(name));
    return path;
  }

  private static String credentials(Operation op) {
    if (op.security().contains("adminToken")) return "Bearer " + TestProvider.ADMIN_TOKEN;
    if (op.security().contains("authKey")) return basic();
    return null;
  }

  private static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8));
  }

  private static Api.Response call(String method, String path, String body, String authorization) {
    return send(method, path, body, "application/json", authorization);
  }

  private static Api.Response send(String method, String path, String body, String contentType,
                                   String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + provider.port() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) b.header("Content-Type", contentType);
    if (authorization != null) b.header("Authorization", authorization);
    return Api.send(b.build());
  }

  private static Object parse(String body) {
    return Json.decodeValue(body);
  }
}
