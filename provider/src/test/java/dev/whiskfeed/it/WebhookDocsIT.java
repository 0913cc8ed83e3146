package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.hooks.HookSignature;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** docs/webhooks.md's signature recipe and curl examples, checked against the code and run against a real hook. */
@ExtendWith(PgExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebhookDocsIT extends WithStandInOpenWhisk {
  static final Pattern OPENSSL = Pattern.compile(
      "\\$ (printf '%s' '(?<body>[^']*)' \\| openssl dgst -sha256 -hmac \"(?<secret>[^\"]*)\")\\n.*= (?<hex>[0-9a-f]{64})\\n");
  static final Pattern RUN = Pattern.compile("<!-- run by WebhookDocsIT[^>]*-->\\n```sh\\n(?<script>.*?)```", Pattern.DOTALL);


  static String doc() throws IOException {
    Path doc = Files.exists(Path.of("../docs/webhooks.md")) ? Path.of("../docs/webhooks.md") : Path.of("docs/webhooks.md");
    return Files.readString(doc, StandardCharsets.UTF_8);
  }

  @Test
  void theSignatureExampleIsWhatTheProviderComputes() throws Exception {
    Matcher m = OPENSSL.matcher(doc());
    assertThat(m.find()).as("the openssl example in docs/webhooks.md").isTrue();
    String expected = "sha256=" + m.group("hex");
    assertThat(HookSignature.sign(m.group("secret"), m.group("body").getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
    assertThat(doc()).contains("X-Hub-Signature-256: " + expected);
    Assumptions.assumeTrue(onPath("openssl"), "openssl not installed");
    assertThat(run(m.group(1), null).strip()).endsWith("= " + m.group("hex"));
  }

  @Test
  void theCurlExamplesReachARealHook(TestPostgres pg) throws Exception {
    Assumptions.assumeTrue(onPath("curl") && onPath("openssl"), "curl and openssl are needed");
    List<String> scripts = new ArrayList<>();
    Matcher m = RUN.matcher(doc());
    while (m.find()) scripts.add(m.group("script"));
    assertThat(scripts).hasSize(2);
    openwhisk.reset();
    try (Provider provider = TestProvider.start(pg.newDatabase("hookdocs"), openwhisk.url())) {
      Api api = new Api(provider.port(), WebhookIT.KEY);
      String unsigned = hookUrl(api, provider, "plain", new JsonObject());
      String signed = hookUrl(api, provider, "signed", new JsonObject().put("secret", "It's a Secret to Everybody"));

      assertThat(run(scripts.get(0), unsigned)).contains("HTTP/1.1 202 Accepted").contains("\"eventId\"");
      String answer = run(scripts.get(1), signed);
      String eventId = new JsonObject(answer).getString("eventId");

      await().atMost(Duration.ofSeconds(20)).until(() -> openwhisk.fires("guest", "signed").stream()
          .anyMatch(f -> eventId.equals(f.header("X-Whiskfeed-Event-Id"))));
      Recorded fire = openwhisk.fires("guest", "signed").get(0);
      JsonObject data = fire.json().getJsonObject("event").getJsonObject("data");
      assertThat(data.getString("body")).isEqualTo("Hello, World!");
      assertThat(data.getJsonObject("headers").getString("x-hub-signature-256"))
          .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
      await().atMost(Duration.ofSeconds(20)).until(() -> openwhisk.fires("guest", "plain").size() == 1);
      assertThat(openwhisk.fires("guest", "plain").get(0).json().getJsonObject("event").getJsonObject("data")
          .getJsonObject("body")).isEqualTo(new JsonObject().put("hello", "world"));
    }
  }

  static String hookUrl(Api api, Provider provider, String trigger, JsonObject params) {
    Api.Response created = api.create("guest", trigger, params.put("kind", "webhook"));
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    String url = created.json().getJsonObject("feed").getJsonObject("config").getString("hookUrl");
    return "http://127.0.0.1:" + provider.port() + HookClient.path(url);
  }

  /** Runs a shell snippet (at most 30 s), with HOOK set when given; its standard output. */
  static String run(String script, String hook) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", "set -e\n" + script).redirectErrorStream(true);
    if (hook != null) builder.environment().put("HOOK", hook);
    Process process = builder.start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("snippet did not finish: " + script);
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) return true;
    }
    return false;
  }
}
