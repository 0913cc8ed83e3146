package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.RepoFiles;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/operations.md is true: its curl walk-throughs run as written against a provider with an admin token, its
 * metrics table is what /metrics exposes (names, types, labels), its variables are ones Config reads, its log
 * vocabulary is what the code logs, and its JSON samples match the OpenAPI schemas.
 */
@ExtendWith(PgExtension.class)
@Timeout(120)
class OperationsDocsIT {
  static final String DOC = "docs/operations.md";
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:operationsDocsKey";
  static Vertx vertx;
  static StandInOpenWhisk openwhisk;
  static TestDatabase db;
  static Provider provider;
  static Api api;

  @BeforeAll
  static void start(TestPostgres pg) {
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
    db = pg.newDatabase("operations_docs");
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN));
    api = new Api(provider.port(), KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    if (provider != null) provider.close();
    if (openwhisk != null) openwhisk.close();
    if (vertx != null) vertx.close();
  }

  private static DocSamples.Result run(String script) {
    return DocSamples.bash("WHISKFEED_ADMIN_TOKEN='" + TestProvider.ADMIN_TOKEN + "'\n"
        + script.replace("localhost:8080", "127.0.0.1:" + provider.port()), 60);
  }

  /** The block marked {@code tested: OperationsDocsIT#name}; fails when the marker is gone. */
  private static String tested(String name) {
    return DocSamples.blocks(DOC).stream().filter(b -> ("tested: OperationsDocsIT#" + name).equals(b.marker()))
        .map(DocSamples.Block::text).findFirst()
        .orElseThrow(() -> new AssertionError(DOC + " has no block marked tested: OperationsDocsIT#" + name));
  }

  private static long stat(String trigger, String name) {
    return api.read("guest", trigger).json().getJsonObject("stats").getLong(name);
  }

  @Test
  void adminWalkthroughRunsAsWritten() {
    assertThat(api.create("guest", "orderChanged", new JsonObject().put("kind", "webhook").put("maxRetries", 0))
        .status()).isEqualTo(200);
    openwhisk.defaultReply("guest", "orderChanged", Reply.status(503));
    api.event("guest", "orderChanged", new JsonObject().put("n", 1));
    api.event("guest", "orderChanged", new JsonObject().put("n", 2));
    await().atMost(Duration.ofSeconds(15)).until(() -> stat("orderChanged", "dead") == 2);
    openwhisk.defaultReply("guest", "orderChanged", Reply.accepted());

    DocSamples.Result r;
    List<JsonObject> lines;
    try (LogCapture logs = new LogCapture()) {
      r = run(tested("adminWalkthroughRunsAsWritten"));
      await().atMost(Duration.ofSeconds(15)).until(() -> stat("orderChanged", "delivered") == 2);
      lines = logs.text().lines().map(JsonObject::new).toList();
    }
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("\"error\"")
        .contains("\"feeds\":[")
        .contains("\"kind\":\"ADMIN\"", "floods its namespace, see ticket 4711")
        .contains("\"state\":\"active\"")
        .contains("\"lastStatusCode\":503")
        .contains("{\"redelivered\":2}")
        .contains("{\"stores\":[{\"name\":\"control\",\"reachable\":true");

    // the JSON log line shown is shaped like a real one (production drops @version and level_value)
    JsonObject fired = lines.stream().filter(l -> "trigger.fired".equals(l.getString("event"))).findFirst().orElseThrow();
    Set<String> real = new TreeSet<>(fired.fieldNames());
    real.removeAll(Set.of("@version", "level_value"));
    assertThat(new TreeSet<>(documentedJsonLine().fieldNames())).isEqualTo(real);
    assertThat(fired.getString("message")).startsWith("event=trigger.fired feed=/guest/orderChanged eventId=");
  }

  /** The JSON line of the log samples under "## Logs". */
  static JsonObject documentedJsonLine() {
    return DocSamples.blocks(DOC).stream().filter(b -> b.info().equals("text")).findFirst().orElseThrow().text()
        .lines().filter(l -> l.startsWith("{")).map(JsonObject::new).findFirst().orElseThrow();
  }

  @Test
  void pagingLoopRunsAsWritten() {
    Assumptions.assumeTrue(DocSamples.bash("command -v jq", 10).exit() == 0, "jq is not installed");
    for (String t : List.of("p1", "p2", "p3")) {
      assertThat(api.create("guest", t, new JsonObject().put("kind", "webhook")).status()).isEqualTo(200);
      assertThat(Ops.post(provider.port(), "/api/v1/admin/feeds/guest/" + t + "/disable", TestProvider.ADMIN_TOKEN,
          new JsonObject().put("message", "paging " + t)).status()).isEqualTo(200);
    }
    String script = tested("pagingLoopRunsAsWritten");
    assertThat(script).contains("limit=100");
    // pages of two, so that the loop has to follow the cursor
    DocSamples.Result r = run(script.replace("limit=100", "limit=2"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output().lines()).contains("/guest/p1\tADMIN\tpaging p1", "/guest/p2\tADMIN\tpaging p2",
        "/guest/p3\tADMIN\tpaging p3");
  }

  // ---- the metrics table

  /** {@code name → [type, labels]} of the table under "## Metrics". */
  static Map<String, List<String>> documentedMetrics() {
    String doc = RepoFiles.read(DOC);
    String section = doc.substring(doc.indexOf("## Metrics"), doc.indexOf("\n### ", doc.indexOf("## Metrics")));
    Matcher row = Pattern.compile("(?m)^\\| `(whiskfeed_\\w+)` \\| (\\w+) \\| ([^|]*) \\|").matcher(section);
    Map<String, List<String>> out = new TreeMap<>();
    while (row.find()) out.put(row.group(1), List.of(row.group(2), labels(row.group(3))));
    return out;
  }

  private static String labels(String cell) {
    TreeSet<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("`(\\w+)`").matcher(cell);
    while (m.find()) names.add(m.group(1));
    return String.join(",", names);
  }

  /** {@code name → [type, labels]} of whiskfeed's families in Prometheus text (a histogram's _max gauge folded in). */
  static Map<String, List<String>> exposedMetrics(String text) {
    Map<String, String> types = new TreeMap<>();
    Matcher type = Pattern.compile("(?m)^# TYPE (whiskfeed_\\w+) (\\w+)$").matcher(text);
    while (type.find()) {
      // a counter's family is named with or without _total depending on the exposition format: its samples have it
      boolean counter = "counter".equals(type.group(2)) && !type.group(1).endsWith("_total");
      types.put(counter ? type.group(1) + "_total" : type.group(1), type.group(2));
    }
    types.keySet().removeIf(n -> n.endsWith("_max") && "histogram".equals(types.get(n.substring(0, n.length() - 4))));
    Map<String, List<String>> out = new TreeMap<>();
    types.forEach((name, t) -> {
      TreeSet<String> labelNames = new TreeSet<>();
      Matcher sample = Pattern.compile("(?m)^" + name + "(?:_bucket|_count|_sum)?\\{([^}]*)\\}").matcher(text);
      while (sample.find()) {
        for (String pair : sample.group(1).split(",")) {
          String label = pair.substring(0, pair.indexOf('=')).trim();
          if (!label.equals("le")) labelNames.add(label);
        }
      }
      out.put(name, List.of(t, String.join(",", labelNames)));
    });
    return out;
  }

  @Test
  void theMetricsTableIsWhatMetricsExposes() {
    Map<String, List<String>> documented = documentedMetrics();
    assertThat(documented).hasSizeGreaterThanOrEqualTo(10);
    // every meter appears once it has moved: a delivery, a retry, a dead letter, a retention run (10 s after start)
    assertThat(api.create("guest", "metered", new JsonObject().put("kind", "webhook").put("maxRetries", 1)).status())
        .isEqualTo(200);
    openwhisk.reply("guest", "metered", Reply.status(500), Reply.accepted(), Reply.status(500), Reply.status(500));
    api.event("guest", "metered", new JsonObject());
    api.event("guest", "metered", new JsonObject());
    await().atMost(Duration.ofSeconds(40)).until(() -> exposedMetrics(metrics()).keySet()
        .containsAll(documented.keySet()));
    assertThat(exposedMetrics(metrics())).isEqualTo(documented);
    assertThat(metrics()).contains("jvm_memory_used_bytes", "vertx_http_server_", "vertx_http_client_", "vertx_pool_");
  }

  private static String metrics() {
    return Ops.get(provider.port(), "/metrics", null).body();
  }

  // ---- variables, log vocabulary, JSON samples

  @Test
  void everyVariableIsOneTheProviderReads() {
    String config = RepoFiles.read("provider/src/main/java/dev/whiskfeed/config/Config.java");
    Set<String> named = new TreeSet<>();
    Matcher m = Pattern.compile("WHISKFEED_[A-Z_]+[A-Z]").matcher(RepoFiles.read(DOC));
    while (m.find()) named.add(m.group());
    assertThat(named).hasSizeGreaterThanOrEqualTo(10);
    assertThat(named).allSatisfy(v -> assertThat(config).as(v).contains("\"" + v + "\""));
  }

  /** Event names of the vocabulary table under "## Logs". */
  static Set<String> documentedEvents() {
    String doc = RepoFiles.read(DOC);
    int from = doc.indexOf("## Logs");
    String section = doc.substring(from, doc.indexOf("\n## ", from + 1));
    Set<String> out = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| ((?:`[a-z._]+` ?)+) \\|").matcher(section);
    while (row.find()) {
      Matcher name = Pattern.compile("`([a-z._]+)`").matcher(row.group(1));
      while (name.find()) out.add(name.group(1));
    }
    return out;
  }

  /** Every {@code event} value the provider's code logs: kv("event", …) and the names passed to its logging helpers. */
  static Set<String> loggedEvents() throws IOException {
    Pattern literal = Pattern.compile("kv\\(\"event\", \"([a-z._]+)\"\\)|(?:logChange|transition|logFailure|Progress\\.of)\\([^\"]*\"([a-z._]+)\"");
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(RepoFiles.path("provider/src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = literal.matcher(RepoFiles.read(file));
        while (m.find()) out.add(m.group(1) != null ? m.group(1) : m.group(2));
      }
    }
    return out;
  }

  @Test
  void theLogVocabularyIsWhatTheCodeLogs() throws IOException {
    Set<String> logged = loggedEvents();
    assertThat(logged).contains("trigger.fired", "feed.created", "feed.enabled", "store.lost", "lease.expired");
    assertThat(documentedEvents()).isEqualTo(logged);
  }

  @Test
  void jsonSamplesMatchTheirSchemas() {
    OpenApiDocument openapi = OpenApiDocument.load();
    Map<String, Object> checked = new LinkedHashMap<>();
    for (DocSamples.Block b : DocSamples.blocks(DOC)) {
      if (b.marker() == null || !b.marker().startsWith("schema: ")) continue;
      String schema = b.marker().substring("schema: ".length());
      Object sample = io.vertx.core.json.Json.decodeValue(b.text());
      assertThat(openapi.problems(openapi.schema(schema), sample)).as("sample of %s", schema).isEmpty();
      checked.put(schema, sample);
    }
    assertThat(checked).containsKeys("Health", "Store", "Event", "Reason");
  }
}
