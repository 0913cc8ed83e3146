package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.RepoFiles;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The operator's tool kit in deploy/ (Grafana dashboard, PrometheusRule) queries only metrics a
 * running provider exposes: a renamed metric fails here. The rules are those docs/operations.md
 * describes, each with a severity and a runbook that exists.
 */
@ExtendWith(PgExtension.class)
@Timeout(180)
class ToolKitIT extends WithStandInOpenWhisk {
  static final String DASHBOARD = "deploy/grafana/whiskfeed-dashboard.json";
  static final String RULES = "deploy/kubernetes/prometheusrule.yaml";
  static final String DOC = "docs/operations.md";

  /** PromQL words that are not metric names. */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "offset", "bool", "and", "or", "unless", "inf", "nan");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  // ---- the queries

  /** Metric names of a PromQL expression: identifiers that are neither functions, keywords, label names nor durations. */
  static Set<String> metricNames(String expr) {
    String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
        .replaceAll("\\{[^}]*}", " ") // label matchers (and Grafana's $variables in them)
        .replaceAll("\\[[^]]*]", " ") // ranges ([5m], [$__rate_interval])
        .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // label lists
        .replaceAll("\\$\\w+", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group();
      int next = m.end();
      while (next < s.length() && s.charAt(next) == ' ') next++;
      boolean function = next < s.length() && s.charAt(next) == '(';
      boolean number = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.');
      if (!function && !number && !KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) out.add(word);
    }
    return out;
  }

  @Test
  void metricNamesAreFoundInPromQl() {
    assertThat(metricNames("histogram_quantile(0.95, sum by (le) (rate(whiskfeed_commit_to_fire_seconds_bucket"
        + "{job=~\"$job\"}[$__rate_interval]))) > 30"))
        .containsExactly("whiskfeed_commit_to_fire_seconds_bucket");
    assertThat(metricNames("sum(max by (kind) (whiskfeed_feeds{state=\"disabled\"})) - sum(max by (kind) "
        + "(whiskfeed_feeds{state=\"disabled\"} offset 1h)) > 0 and on (kind) up == 1 > 8e9"))
        .containsExactly("up", "whiskfeed_feeds");
  }

  /** Every PromQL expression of the dashboard: panel targets and the metric of label_values(…) variables. */
  static Map<String, String> dashboardExpressions() {
    JsonObject dashboard = new JsonObject(RepoFiles.read(DASHBOARD));
    Map<String, String> out = new LinkedHashMap<>();
    List<JsonObject> panels = new ArrayList<>();
    collectPanels(dashboard.getJsonArray("panels"), panels);
    for (JsonObject panel : panels) {
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int i = 0; i < targets.size(); i++) {
        out.put(panel.getString("title") + " #" + i, targets.getJsonObject(i).getString("expr"));
      }
    }
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      Object query = ((JsonObject) v).getValue("query");
      String text = query instanceof JsonObject q ? q.getString("query") : String.valueOf(query);
      Matcher labelValues = Pattern.compile("label_values\\(\\s*([^,)]+)").matcher(text);
      if (labelValues.find()) out.put("variable " + ((JsonObject) v).getString("name"), labelValues.group(1));
    }
    return out;
  }

  private static void collectPanels(JsonArray panels, List<JsonObject> out) {
    for (Object p : panels) {
      out.add((JsonObject) p);
      JsonArray nested = ((JsonObject) p).getJsonArray("panels");
      if (nested != null) collectPanels(nested, out);
    }
  }

  /** The PrometheusRule's alerts, by name. */
  static Map<String, Map<String, Object>> ruleAlerts() {
    Map<String, Object> rule = yaml().load(RepoFiles.read(RULES));
    return alerts(map(rule.get("spec")));
  }

  /** The alerts of every ```yaml block of docs/operations.md, by name. */
  static Map<String, Map<String, Object>> documentedAlerts() {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    Matcher block = Pattern.compile("(?s)```yaml\\n(.*?)```").matcher(RepoFiles.read(DOC));
    while (block.find()) {
      Object doc = yaml().load(block.group(1));
      if (doc instanceof Map<?, ?> m && m.containsKey("groups")) out.putAll(alerts(map(doc)));
    }
    return out;
  }

  private static Map<String, Map<String, Object>> alerts(Map<String, Object> withGroups) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Object group : (List<?>) withGroups.get("groups")) {
      for (Object rule : (List<?>) map(group).get("rules")) out.put((String) map(rule).get("alert"), map(rule));
    }
    return out;
  }

  // ---- the rules against the docs

  @Test
  void theRulesAreTheAlertsTheDocsDescribeEachWithSeverityAndRunbook() {
    Map<String, Map<String, Object>> rules = ruleAlerts();
    Map<String, Map<String, Object>> documented = documentedAlerts();
    assertThat(documented).hasSizeGreaterThanOrEqualTo(8);
    assertThat(rules.keySet()).isEqualTo(documented.keySet());
    String doc = RepoFiles.read(DOC);
    Set<String> anchors = anchors(doc);
    rules.forEach((name, rule) -> {
      Map<String, Object> described = documented.get(name);
      assertThat(String.valueOf(rule.get("expr")).strip()).as(name + " expr")
          .isEqualTo(String.valueOf(described.get("expr")).strip());
      assertThat(rule.get("for")).as(name + " for").isEqualTo(described.get("for"));
      assertThat(String.valueOf(map(rule.get("labels")).get("severity"))).as(name + " severity")
          .isIn("critical", "warning", "info");
      String runbook = String.valueOf(map(rule.get("annotations")).get("runbook_url"));
      assertThat(runbook).as(name + " runbook_url").contains("/docs/operations.md#" + name.toLowerCase(Locale.ROOT));
      assertThat(anchors).as("anchors of " + DOC).contains(runbook.substring(runbook.indexOf('#') + 1));
    });
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
  static Set<String> anchors(String markdown) {
    Set<String> out = new TreeSet<>();
    Matcher heading = Pattern.compile("(?m)^#{1,6} (.+)$").matcher(markdown);
    while (heading.find()) {
      out.add(heading.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
    }
    return out;
  }

  // ---- against a running provider

  @Test
  void everyMetricTheDashboardAndTheRulesQueryIsExposed(TestPostgres pg) throws Exception {
    Map<String, Set<String>> wanted = new TreeMap<>(); // metric -> where it is queried
    dashboardExpressions().forEach((where, expr) -> metricNames(expr)
        .forEach(n -> wanted.computeIfAbsent(n, k -> new TreeSet<>()).add(DASHBOARD + ": " + where)));
    ruleAlerts().forEach((name, rule) -> metricNames(String.valueOf(rule.get("expr")))
        .forEach(n -> wanted.computeIfAbsent(n, k -> new TreeSet<>()).add(RULES + ": " + name)));
    assertThat(wanted).containsKeys("whiskfeed_store_backlog", "whiskfeed_store_oldest_deliverable_age_seconds",
        "whiskfeed_fire_latency_seconds_count", "whiskfeed_commit_to_fire_seconds_bucket",
        "whiskfeed_capture_slot_retained_bytes", "whiskfeed_capture_lag_seconds", "whiskfeed_build_info",
        "whiskfeed_events_dead_total");

    openwhisk.reset();
    TestDatabase db = pg.newDatabase("toolkit");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, status text)");
    try (ChangesFixture f = new ChangesFixture(openwhisk, db, Map.of())) {
      // a feed of each kind, the changes feed on the WAL; a delivery, a retry and a dead letter
      f.create("orders", ChangesFixture.changes("public.orders").put("capture", "wal"));
      f.create("hook", new JsonObject().put("kind", "webhook"));
      f.create("doomed", new JsonObject().put("kind", "webhook").put("maxRetries", 0));
      f.create("tick", new JsonObject().put("kind", "alarm").put("cron", "0 0 1 1 *"));
      openwhisk.reply("guest", "hook", Reply.status(500), Reply.accepted());
      openwhisk.reply("guest", "doomed", Reply.status(503));
      db.execute("INSERT INTO public.orders VALUES (1, 'new')");
      f.api.event("guest", "hook", new JsonObject());
      f.api.event("guest", "doomed", new JsonObject());
      f.awaitRow("orders", 1);

      // the gauges are sampled every 5 s and retention first runs 10 s after start
      Set<String> missing = new TreeSet<>();
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          Set<String> exposed = exposedNames(f.api.send("GET", "/metrics", null).body());
          missing.clear();
          wanted.keySet().stream().filter(n -> !exposed.contains(n)).forEach(missing::add);
          return missing.isEmpty();
        });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        Map<String, Set<String>> report = new TreeMap<>();
        missing.forEach(n -> report.put(n, wanted.get(n)));
        throw new AssertionError("queried but not in /metrics: " + report, e);
      }
    }
  }

  /** Sample names (with their _bucket, _count, _sum, _total) and family names of Prometheus text. */
  static Set<String> exposedNames(String text) {
    Set<String> out = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) continue;
      if (line.startsWith("# TYPE ")) {
        out.add(line.split(" ")[2]);
      } else if (!line.startsWith("#")) {
        Matcher name = IDENTIFIER.matcher(line);
        if (name.lookingAt()) out.add(name.group());
      }
    }
    return out;
  }

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }
}
