package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.whiskfeed.actions.AlarmFeed;
import dev.whiskfeed.actions.ChangesFeed;
import dev.whiskfeed.actions.IntervalFeed;
import dev.whiskfeed.actions.OnceFeed;
import dev.whiskfeed.actions.WebhookFeed;
import dev.whiskfeed.app.Provider;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.feed.DeliverySettings;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.RepoFiles;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The code samples of the docs this project's docs/ owns, run or checked: the curl walk-throughs run as written
 * (bash, curl) against a provider; every {@code wsk trigger create … --feed …} goes through the real feed action
 * with the parameters wsk would pass; JSON samples match the OpenAPI schemas; the reference tables match the code.
 */
@ExtendWith(PgExtension.class)
class DocsIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
  /** The docs written here (the kinds' own docs and operations.md have their authors' tests). */
  static final List<String> DOCS = List.of("README.md", "docs/README.md", "docs/getting-started.md", "docs/feeds.md",
      "docs/lifecycle-api.md", "docs/security.md", "docs/migration.md", "docs/architecture.md",
      "docs/deployment.md");
  static final Map<String, Function<JsonObject, JsonObject>> FEED_ACTIONS = Map.of("changes", ChangesFeed::main,
      "webhook", WebhookFeed::main, "alarm", AlarmFeed::main, "interval", IntervalFeed::main, "once", OnceFeed::main);

  static Vertx vertx;
  static StandInOpenWhisk openwhisk;
  static TestDatabase db;
  static Provider provider;

  @BeforeAll
  static void start(TestPostgres pg) {
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
    db = pg.newDatabase("docs");
    TestDatabase orders = pg.newDatabase("docs_orders");
    // the tables the samples name, in the control database and in the source "orders"
    for (TestDatabase d : List.of(db, orders)) {
      d.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text, total numeric)");
    }
    db.execute("CREATE TABLE public.users (id int PRIMARY KEY, email text, name text)");
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_SOURCES", "orders=" + orders.url(),
        "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (provider != null) provider.close();
    if (openwhisk != null) openwhisk.close();
    if (vertx != null) vertx.close();
  }

  // ---- walk-throughs, run as written

  @Test
  void readmeWalkthroughRunsAsWritten() {
    DocSamples.Result r = run(DocSamples.tested("README.md", "readmeWalkthroughRunsAsWritten"), provider.port());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("\"error\"").contains("\"kind\":\"alarm\"").contains("\"state\":\"paused\"")
        .endsWith("{\"status\":\"success\"}");
  }

  @Test
  void gettingStartedWalkthroughRunsAsWritten(TestPostgres pg) throws Exception {
    Assumptions.assumeTrue(DocSamples.bash("command -v python3", 10).exit() == 0, "python3 is not installed");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process fake = new ProcessBuilder("python3", RepoFiles.path("docs/examples/fake-openwhisk.py").toString(),
        Integer.toString(port)).redirectErrorStream(true).start();
    Queue<String> printed = new ConcurrentLinkedQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(fake.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) printed.add(line);
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    });
    reader.start();
    try (Provider own = TestProvider.start(pg.newDatabase("getting_started"), "http://127.0.0.1:" + port)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> printed.stream().anyMatch(l -> l.contains("listening")));
      DocSamples.Result r = run(DocSamples.tested("docs/getting-started.md", "gettingStartedWalkthroughRunsAsWritten"),
          own.port());
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(r.output()).doesNotContain("\"error\"").contains("\"status\":\"success\"").contains("\"eventId\"");

      await().atMost(Duration.ofSeconds(30)).until(() -> printed.stream().anyMatch(l -> l.contains("MANUAL")));
      String fire = printed.stream().filter(l -> l.contains("MANUAL")).findFirst().orElseThrow();
      String documented = documentedFire();
      assertThat(normalized(fire)).isEqualTo(normalized(documented));
    } finally {
      fake.destroy();
      reader.join(10_000);
    }
  }

  /** The fire the getting-started page shows: the one line of the unmarked block after the walk-through. */
  private static String documentedFire() {
    List<DocSamples.Block> blocks = DocSamples.blocks("docs/getting-started.md");
    for (int i = 0; i < blocks.size() - 1; i++) {
      if ("tested: DocsIT#gettingStartedWalkthroughRunsAsWritten".equals(blocks.get(i).marker())) {
        return blocks.get(i + 1).text().strip();
      }
    }
    throw new AssertionError("no sample fire after the walk-through");
  }

  /** Ids and timestamps replaced, so that a real fire and the documented one compare. */
  private static String normalized(String fire) {
    return fire.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID")
        .replaceAll("[0-9a-f]{4}…", "ID")
        .replaceAll("\"created_at\":\"[^\"]*\"", "\"created_at\":\"T\"");
  }

  private static DocSamples.Result run(String script, int port) {
    return DocSamples.bash(script.replace("localhost:8080", "127.0.0.1:" + port), 60);
  }

  // ---- wsk trigger create … --feed …, through the real feed actions

  @Test
  void wskTriggerCreateSamplesMakeFeeds() {
    int checked = 0;
    for (String file : DOCS) {
      Map<String, Map<String, JsonElement>> bindings = new HashMap<>();
      for (String command : DocSamples.commands(file)) {
        if (command.startsWith("wsk package bind /whisk.system/whiskfeed ")) {
          List<String> words = DocSamples.shellWords(command.substring(4));
          bindings.put(words.get(3), params(words.subList(4, words.size())));
        } else if (command.startsWith("wsk trigger create ") && command.contains("--feed")) {
          createAndDelete(file, command, bindings);
          checked++;
        }
      }
    }
    assertThat(checked).as("wsk trigger create samples found").isGreaterThanOrEqualTo(5);
  }

  /**
   * A new user types the feed names the docs show: each is an action install-catalog.sh installs,
   * fully qualified with the namespace it installs into by default, or a binding the same page
   * makes of that package.
   */
  @Test
  void everyFeedNameIsOneTheCatalogScriptInstalls() throws java.io.IOException {
    String script = RepoFiles.read("deploy/install-catalog.sh");
    assertThat(script).contains("namespace=/whisk.system\n").contains("package=$namespace/whiskfeed\n");
    List<String> actions = new ArrayList<>();
    Matcher installed = Pattern.compile("(?m)^install_feed (\\w+) ").matcher(script);
    while (installed.find()) actions.add(installed.group(1));
    assertThat(actions).containsExactlyInAnyOrderElementsOf(FEED_ACTIONS.keySet());

    List<String> files = new ArrayList<>(List.of("README.md"));
    try (var docs = java.nio.file.Files.list(RepoFiles.path("docs"))) {
      docs.map(p -> "docs/" + p.getFileName()).filter(f -> f.endsWith(".md")).sorted().forEach(files::add);
    }
    Pattern feedFlag = Pattern.compile("--feed\\s+([^\\s`]+)");
    Pattern binding = Pattern.compile("wsk package bind /whisk\\.system/whiskfeed (\\S+)");
    int checked = 0;
    for (String file : files) {
      String text = RepoFiles.read(file);
      List<String> bound = new ArrayList<>();
      Matcher b = binding.matcher(text);
      while (b.find()) bound.add(b.group(1));
      Matcher m = feedFlag.matcher(text);
      while (m.find()) {
        String feed = m.group(1);
        String pkg = feed.substring(0, Math.max(0, feed.lastIndexOf('/')));
        assertThat(pkg.equals("/whisk.system/whiskfeed") || bound.contains(pkg))
            .as("%s: --feed %s is neither /whisk.system/whiskfeed/<action> nor a binding made on that page", file, feed)
            .isTrue();
        String action = feed.substring(feed.lastIndexOf('/') + 1);
        if (!action.equals("<action>")) assertThat(actions).as("%s: --feed %s", file, feed).contains(action);
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(10);
  }

  private void createAndDelete(String file, String command, Map<String, Map<String, JsonElement>> bindings) {
    List<String> words = DocSamples.shellWords(command.substring(4));
    String trigger = words.get(2);
    int feedAt = words.indexOf("--feed");
    String feed = words.get(feedAt + 1);
    List<String> rest = new ArrayList<>(words.subList(3, words.size()));
    rest.remove(feedAt - 3);
    rest.remove(feedAt - 3);
    Map<String, JsonElement> params = new LinkedHashMap<>();
    String action = feed.substring(feed.lastIndexOf('/') + 1);
    String pkg = feed.substring(0, feed.lastIndexOf('/'));
    if (!pkg.equals("/whisk.system/whiskfeed")) {
      assertThat(bindings).as("%s: package binding %s", file, pkg).containsKey(pkg);
      params.putAll(bindings.get(pkg));
    }
    params.putAll(params(rest));
    Function<JsonObject, JsonObject> main = FEED_ACTIONS.get(action);
    assertThat(main).as("%s: feed action of %s", file, command).isNotNull();

    JsonObject create = args(trigger, "CREATE");
    params.forEach(create::add);
    JsonObject created = main.apply(create);
    assertThat(created.has("error")).as("%s: %s -> %s", file, command, created).isFalse();
    JsonObject read = main.apply(args(trigger, "READ"));
    params.forEach((name, value) -> {
      if (!name.equals("secret")) {
        assertThat(read.getAsJsonObject("config").has(name)).as("%s: READ shows %s: %s", file, name, read).isTrue();
      }
    });
    JsonObject deleted = main.apply(args(trigger, "DELETE"));
    assertThat(deleted.has("error")).as("%s: DELETE %s -> %s", file, trigger, deleted).isFalse();
  }

  private static JsonObject args(String trigger, String event) {
    JsonObject args = new JsonObject();
    args.addProperty("providerUrl", "http://127.0.0.1:" + provider.port());
    args.addProperty("lifecycleEvent", event);
    args.addProperty("triggerName", "/guest/" + trigger);
    args.addProperty("authKey", KEY);
    return args;
  }

  /** {@code -p name value} pairs as wsk passes them: a value that parses as JSON is JSON, else a string. */
  private static Map<String, JsonElement> params(List<String> words) {
    Map<String, JsonElement> out = new LinkedHashMap<>();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (!w.equals("-p") && !w.equals("--param")) throw new AssertionError("unexpected word " + w + " in " + words);
      out.put(words.get(i + 1), wskValue(words.get(i + 2)));
      i += 2;
    }
    return out;
  }

  private static JsonElement wskValue(String raw) {
    try {
      return JsonParser.parseString(raw);
    } catch (RuntimeException notJson) {
      return new JsonPrimitive(raw);
    }
  }

  // ---- JSON samples and reference tables

  @Test
  void jsonSamplesMatchTheirSchemas() {
    OpenApiDocument openapi = OpenApiDocument.load();
    int checked = 0;
    for (String file : DOCS) {
      for (DocSamples.Block b : DocSamples.blocks(file)) {
        if (b.marker() == null || !b.marker().startsWith("schema: ")) continue;
        String schema = b.marker().substring("schema: ".length());
        Object sample = io.vertx.core.json.Json.decodeValue(b.text());
        assertThat(openapi.problems(openapi.schema(schema), sample)).as("%s sample of %s", file, schema).isEmpty();
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(2);
  }

  @Test
  void errorTableListsEveryErrorCodeWithItsStatus() {
    Map<String, Integer> documented = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^\\| `([a-z_0-9]+)` \\| (\\d{3}) \\|").matcher(RepoFiles.read("docs/lifecycle-api.md"));
    while (m.find()) documented.put(m.group(1), Integer.parseInt(m.group(2)));
    Map<String, Integer> actual = new LinkedHashMap<>();
    for (ErrorCode code : ErrorCode.values()) actual.put(code.code(), code.status());
    actual.put("internal", 500); // ErrorResponder: anything unexpected
    assertThat(documented).isEqualTo(actual);
  }

  @Test
  void deliveryParameterTableMatchesTheCode() {
    String doc = RepoFiles.read("docs/feeds.md");
    int section = doc.indexOf("## Delivery parameters");
    assertThat(section).isNotNegative();
    int end = doc.indexOf("\n## ", section + 1);
    Matcher row = Pattern.compile("(?m)^\\| `(\\w+)` \\| `([^`]+)` \\| ([^|]+) \\|")
        .matcher(doc.substring(section, end < 0 ? doc.length() : end));
    Map<String, String[]> rows = new LinkedHashMap<>();
    while (row.find()) rows.put(row.group(1), new String[] {row.group(2), row.group(3).trim()});
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(DeliverySettings.NAMES);
    io.vertx.core.json.JsonObject defaults = DeliverySettings.DEFAULTS.toJson();
    rows.forEach((name, cells) -> {
      assertThat(String.valueOf(defaults.getValue(name))).as("default of %s", name).isEqualTo(cells[0]);
      Matcher range = Pattern.compile("(-?\\d+) … (\\d+)").matcher(cells[1]);
      if (!range.find()) return;
      long min = Long.parseLong(range.group(1));
      long max = Long.parseLong(range.group(2));
      settings(name, min);
      settings(name, max);
      String below = messageOf(name, min - 1);
      assertThat(messageOf(name, max + 1)).isEqualTo(below.equals("the maxTriggers parameter must be -1 (unlimited) or at"
          + " least 1") ? "the maxTriggers parameter must be between -1 and 2147483647" : below);
      assertThat(doc).contains(below.replace(name, "<name>").replace(" " + min + " ", " <min> ")
          .replace(" " + max, " <max>").replace("<name> parameter must be -1", "maxTriggers parameter must be -1"));
    });
    assertThat(doc).contains("`" + messageOf("maxRetries", "lots").replace("maxRetries", "<name>") + "`");
    assertThat(doc).contains("`" + messageOf("ordered", "yes").replace("ordered", "<name>") + "`");
  }

  private static void settings(String name, Object value) {
    DeliverySettings.parse(new io.vertx.core.json.JsonObject().put(name, value));
  }

  private static String messageOf(String name, Object value) {
    try {
      settings(name, value);
    } catch (dev.whiskfeed.error.WhiskfeedException e) {
      return e.getMessage();
    }
    throw new AssertionError(name + " = " + value + " was accepted");
  }
}
