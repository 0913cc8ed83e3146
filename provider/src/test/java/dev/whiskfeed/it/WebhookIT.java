package dev.whiskfeed.it;

import static dev.whiskfeed.it.HookClient.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.hooks.HookSignature;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md "Hooks" end to end: a sender POSTs to a hook URL, the trigger fires with the WEBHOOK envelope. */
@ExtendWith(PgExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebhookIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
  static final String PUBLIC_URL = "https://hooks.example.com";
  static final Duration FIRED = Duration.ofSeconds(20);

  TestDatabase db;
  Provider provider;
  Api api;
  HookClient sender;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    openwhisk.registerKey("guest", KEY);
    db = pg.newDatabase("webhook");
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_PUBLIC_URL", PUBLIC_URL));
    api = new Api(provider.port(), KEY);
    sender = new HookClient(provider.port());
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  /** Creates a webhook feed and returns the path of its hook URL. */
  String hook(String trigger, JsonObject params) {
    Api.Response created = api.create("guest", trigger, params.copy().put("kind", "webhook"));
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    String url = created.json().getJsonObject("feed").getJsonObject("config").getString("hookUrl");
    assertThat(url).startsWith(PUBLIC_URL + "/hooks/");
    return HookClient.path(url);
  }

  Recorded awaitFire(String trigger, String eventId) {
    await().atMost(FIRED).until(() -> openwhisk.fires("guest", trigger).stream()
        .anyMatch(f -> eventId.equals(f.header("X-Whiskfeed-Event-Id")) && f.answered()));
    return openwhisk.fires("guest", trigger).stream().filter(f -> eventId.equals(f.header("X-Whiskfeed-Event-Id")))
        .findFirst().orElseThrow();
  }

  long events() {
    return db.queryLong("SELECT count(*) FROM whiskfeed.events");
  }

  static String eventId(Api.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().getString("eventId");
  }

  @Test
  void aSignedGitHubDeliveryIsAcceptedAndFiredAsAWebhookEnvelope() {
    String path = hook("push", new JsonObject().put("secret", "It's a Secret to Everybody"));
    String body = "{\"ref\":\"refs/heads/main\",\"commits\":[{\"id\":\"abc\"}],\"repository\":{\"full_name\":\"o/r\"}}";
    byte[] raw = body.getBytes(StandardCharsets.UTF_8);
    Api.Response answer = sender.post(path + "?source=github&tag=a&tag=b", raw, headers(
        "Content-Type", "application/json",
        "User-Agent", "GitHub-Hookshot/044aadd",
        "X-GitHub-Event", "push",
        "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "X-GitHub-Hook-ID", "292430182",
        HookSignature.HEADER, HookSignature.sign("It's a Secret to Everybody", raw),
        "Authorization", "Bearer not-for-the-event",
        "Cookie", "session=not-for-the-event"));
    String eventId = eventId(answer);

    Recorded fire = awaitFire("push", eventId);
    JsonObject envelope = fire.json();
    assertThat(envelope.getString("id")).isEqualTo(eventId);
    assertThat(envelope.getJsonObject("trigger").getString("name")).isEqualTo("/guest/push");
    assertThat(envelope.containsKey("table")).isFalse();
    assertThat(envelope.getJsonObject("delivery_info").getInteger("current_retry")).isZero();
    JsonObject event = envelope.getJsonObject("event");
    assertThat(event.getString("op")).isEqualTo("WEBHOOK");
    assertThat(event.fieldNames()).contains("session_variables", "trace_context");
    assertThat(event.getValue("session_variables")).isNull();
    assertThat(event.getValue("trace_context")).isNull();
    JsonObject data = event.getJsonObject("data");
    assertThat(data.getString("method")).isEqualTo("POST");
    assertThat(data.getJsonObject("query")).isEqualTo(new JsonObject().put("source", "github")
        .put("tag", new io.vertx.core.json.JsonArray().add("a").add("b")));
    assertThat(data.getJsonObject("body")).isEqualTo(new JsonObject(body));
    assertThat(data.getString("bodyEncoding")).isEqualTo("json");
    assertThat(data.getString("contentType")).isEqualTo("application/json");
    JsonObject headers = data.getJsonObject("headers");
    assertThat(headers.getString("x-github-event")).isEqualTo("push");
    assertThat(headers.getString("x-github-delivery")).isEqualTo("72d3162e-cc78-11e3-81ab-4c9367dc0958");
    assertThat(headers.getString("x-github-hook-id")).isEqualTo("292430182");
    assertThat(headers.getString("x-hub-signature-256")).isEqualTo(HookSignature.sign("It's a Secret to Everybody", raw));
    assertThat(headers.getString("user-agent")).isEqualTo("GitHub-Hookshot/044aadd");
    assertThat(headers.getString("content-type")).isEqualTo("application/json");
    assertThat(fire.body()).doesNotContain("not-for-the-event").doesNotContain("Secret to Everybody");

    JsonObject feed = api.read("guest", "push").json();
    assertThat(feed.getJsonObject("config").getString("secret")).isEqualTo("set");
    assertThat(feed.encode()).doesNotContain("Secret to Everybody");
    assertThat(feed.getJsonObject("stats").getLong("delivered")).isEqualTo(1);
    String stored = db.query("SELECT secrets::text AS s FROM whiskfeed.feeds").get(0).get("s").toString();
    assertThat(stored).contains("v1:").doesNotContain("Secret to Everybody");
  }

  @Test
  void aMissingOrWrongSignatureIs401AndStoresNothing() {
    String path = hook("signed", new JsonObject().put("secret", "s3cret"));
    byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    Api.Response missing = sender.post(path, body, headers("Content-Type", "application/json"));
    assertError(missing, 401, HookSignature.HEADER);
    Api.Response wrongSecret = sender.post(path, body, headers("Content-Type", "application/json",
        HookSignature.HEADER, HookSignature.sign("not the secret", body)));
    assertError(wrongSecret, 401, "does not match");
    Api.Response otherBody = sender.post(path, "{\"a\":2}", headers("Content-Type", "application/json",
        HookSignature.HEADER, HookSignature.sign("s3cret", body)));
    assertError(otherBody, 401, "does not match");
    Api.Response garbage = sender.post(path, body, headers(HookSignature.HEADER, "sha256=xyz"));
    assertError(garbage, 401, "does not match");
    assertThat(events()).isZero();

    // UPDATE rotates the secret: the old one stops working, the new one works
    assertThat(api.update("guest", "signed", new JsonObject().put("secret", "n3w")).status()).isEqualTo(200);
    assertError(sender.post(path, body, headers(HookSignature.HEADER, HookSignature.sign("s3cret", body))), 401,
        "does not match");
    eventId(sender.post(path, body, headers(HookSignature.HEADER, HookSignature.sign("n3w", body))));
    assertThat(events()).isEqualTo(1);
  }

  @Test
  void aBodyOverTheLimitIs413WithoutBeingRead() throws Exception {
    String path = hook("small", new JsonObject().put("maxBodyBytes", 4096));
    // declared too large: refused before the body is asked for (no 100 Continue); raw, because the JDK 17
    // client waits forever for a 100 that does not come (JDK-8286171)
    HookClient.RawAnswer declared = sender.raw("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 5000\r\nExpect: 100-continue", null);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.sawContinue()).isFalse();
    assertThat(declared.head().toLowerCase()).contains("connection: close");
    // streamed without a length: refused as soon as the count passes the limit, before the body ends
    HookClient.RawAnswer streamed = sender.chunkedWithoutEnd(path, 8);
    assertThat(streamed.status()).isEqualTo(413);
    // a sender that just sends it all reads the answer too
    Api.Response plain = sender.post(path, new byte[5000], headers("Content-Type", "application/octet-stream"));
    assertError(plain, 413, "larger than 4096 bytes");
    assertThat(events()).isZero();

    // exactly at the limit is fine; a client that waits for 100 Continue gets it
    eventId(sender.post(path, new byte[4096], headers("Content-Type", "application/octet-stream")));
    HookClient.RawAnswer continued = sender.raw("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 5\r\nExpect: 100-continue", "hello".getBytes(StandardCharsets.US_ASCII));
    assertThat(continued.sawContinue()).isTrue();
    assertThat(continued.status()).isEqualTo(202);
    assertThat(events()).isEqualTo(2);
  }

  @Test
  void aSenderHangingUpMidBodyStoresNothingAndLogsNoFailure() throws Exception {
    String path = hook("hangup", new JsonObject());
    try (LogCapture logs = new LogCapture()) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", provider.port())) {
        socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 1000\r\n\r\n{\"partial\":").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      }
      eventId(sender.post(path, "{\"whole\":true}", headers("Content-Type", "application/json")));
      assertThat(events()).isEqualTo(1);
      assertThat(logs.text()).doesNotContain("request.failed");
    }
  }

  @Test
  void refusalsOverHttp2ResetOnlyTheirStream() {
    String path = hook("h2", new JsonObject().put("maxBodyBytes", 1000).put("rateLimitPerSec", 1));
    HookClient h2 = new HookClient(provider.port(), java.net.http.HttpClient.Version.HTTP_2);
    assertThat(h2.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    assertError(h2.post(path, new byte[50_000], headers("Content-Type", "application/octet-stream")), 413, "larger");
    assertError(h2.post("/hooks/" + "B".repeat(32), new byte[50_000], headers()), 404, "no hook");
    eventId(h2.post(path, "{}", headers("Content-Type", "application/json")));
    Api.Response limited = h2.post(path, "{}", headers("Content-Type", "application/json"));
    assertError(limited, 429, "per second");
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(h2.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    assertThat(events()).isEqualTo(1);
  }

  @Test
  void unknownRotatedAndDeletedHooksAre404() {
    assertError(sender.post("/hooks/" + "A".repeat(32), "{}", headers()), 404, "no hook at this URL");
    assertError(sender.post("/hooks/short", "{}", headers()), 404, "no hook at this URL");

    String path = hook("rotating", new JsonObject());
    assertError(sender.method("GET", path), 405, "method not allowed");
    assertError(sender.method("PUT", path), 405, "method not allowed");
    eventId(sender.post(path, "{}", headers()));
    Api.Response rotated = api.update("guest", "rotating", new JsonObject().put("rotateHook", true));
    assertThat(rotated.status()).isEqualTo(200);
    String newPath = HookClient.path(rotated.json().getJsonObject("feed").getJsonObject("config").getString("hookUrl"));
    assertThat(newPath).isNotEqualTo(path);
    assertError(sender.post(path, "{}", headers()), 404, "no hook at this URL");
    eventId(sender.post(newPath, "{}", headers()));
    // an UPDATE of something else keeps the URL
    Api.Response updated = api.update("guest", "rotating", new JsonObject().put("maxBodyBytes", 100));
    assertThat(updated.json().getJsonObject("feed").getJsonObject("config").getString("hookUrl")).endsWith(newPath);
    assertThat(api.read("guest", "rotating").json().getJsonObject("config").getString("hookUrl")).endsWith(newPath);

    assertThat(api.delete("guest", "rotating").status()).isEqualTo(200);
    assertError(sender.post(newPath, "{}", headers()), 404, "no hook at this URL");
    assertThat(api.create("guest", "rotating", new JsonObject().put("kind", "webhook")).status()).isEqualTo(200);
    assertError(sender.post(newPath, "{}", headers()), 404, "no hook at this URL");
  }

  @Test
  void aDisabledFeedIs410AndAcceptsAgainOnceReEnabled() {
    String path = hook("gone", new JsonObject());
    openwhisk.reply("guest", "gone", Reply.status(404));
    String first = eventId(sender.post(path, "{\"n\":1}", headers("Content-Type", "application/json")));
    awaitFire("gone", first);
    await().atMost(FIRED).until(() -> "disabled".equals(state("gone")));
    assertError(sender.post(path, "{\"n\":2}", headers("Content-Type", "application/json")), 410, "disabled");
    assertThat(events()).isEqualTo(1);

    assertThat(api.unpause("guest", "gone").status()).isEqualTo(200);
    eventId(sender.post(path, "{\"n\":3}", headers("Content-Type", "application/json")));
    await().atMost(FIRED).until(() -> openwhisk.fires("guest", "gone").stream().filter(f -> f.status() == 202).count() == 2);
  }

  @Test
  void aPausedFeedAcceptsAndFiresAfterUnpause() {
    String paused = hook("paused", new JsonObject());
    String control = hook("control", new JsonObject());
    assertThat(api.pause("guest", "paused").status()).isEqualTo(200);
    String waiting = eventId(sender.post(paused, "{\"waits\":true}", headers("Content-Type", "application/json")));
    // an event of an active hook posted afterwards is fired, the paused one's is not
    awaitFire("control", eventId(sender.post(control, "{}", headers("Content-Type", "application/json"))));
    assertThat(openwhisk.fires("guest", "paused")).isEmpty();
    assertThat(api.read("guest", "paused").json().getJsonObject("stats").getLong("pending")).isEqualTo(1);

    assertThat(api.unpause("guest", "paused").status()).isEqualTo(200);
    Recorded fire = awaitFire("paused", waiting);
    assertThat(fire.json().getJsonObject("event").getJsonObject("data").getJsonObject("body"))
        .isEqualTo(new JsonObject().put("waits", true));
  }

  @Test
  void textAndBinaryBodiesRoundTrip() {
    String path = hook("bodies", new JsonObject());
    String form = "name=J%C3%B6rg&amount=9.50";
    String formId = eventId(sender.post(path, form, headers("Content-Type", "application/x-www-form-urlencoded")));
    String xml = "<note>héllo ✓</note>";
    String xmlId = eventId(sender.post(path, xml, headers("Content-Type", "application/xml; charset=utf-8")));
    String broken = "{\"not\": json";
    String brokenId = eventId(sender.post(path, broken, headers("Content-Type", "application/json")));
    byte[] bytes = new byte[3000];
    new Random(42).nextBytes(bytes);
    String binId = eventId(sender.post(path, bytes, headers("Content-Type", "image/png")));
    byte[] ascii = "ascii but declared binary".getBytes(StandardCharsets.US_ASCII);
    String octetId = eventId(sender.post(path, ascii, headers("Content-Type", "application/octet-stream")));

    assertBody(awaitFire("bodies", formId), "text", form, "application/x-www-form-urlencoded");
    assertBody(awaitFire("bodies", xmlId), "text", xml, "application/xml; charset=utf-8");
    assertBody(awaitFire("bodies", brokenId), "text", broken, "application/json");
    assertBody(awaitFire("bodies", binId), "base64", Base64.getEncoder().encodeToString(bytes), "image/png");
    JsonObject octet = assertBody(awaitFire("bodies", octetId), "base64", Base64.getEncoder().encodeToString(ascii),
        "application/octet-stream");
    assertThat(Base64.getDecoder().decode(octet.getString("body"))).isEqualTo(ascii);
  }

  @Test
  void aRateLimitedHookAnswers429WithRetryAfter() {
    String path = hook("limited", new JsonObject().put("rateLimitPerSec", 2));
    int accepted = 0;
    Api.Response limited = null;
    for (int i = 0; i < 10 && limited == null; i++) {
      Api.Response r = sender.post(path, "{}", headers("Content-Type", "application/json"));
      if (r.status() == 202) accepted++;
      else limited = r;
    }
    assertThat(limited).as("no 429 in 10 quick requests").isNotNull();
    assertError(limited, 429, "at most 2 requests per second");
    assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 2);
    assertThat(accepted).isGreaterThanOrEqualTo(2);
    assertThat(events()).isEqualTo(accepted);
    // other hooks are not affected
    eventId(sender.post(hook("free", new JsonObject()), "{}", headers()));
  }

  @Test
  void twoHundredConcurrentPostsAreTwoHundredEventsEachFiredOnce() throws Exception {
    String path = hook("burst", new JsonObject());
    List<CompletableFuture<Api.Response>> answers = new ArrayList<>();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 200; i++) {
      HttpRequest request = sender.request(path + "?n=" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8),
          headers("Content-Type", "application/json"));
      answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> new Api.Response(r.statusCode(), r.body(), r.headers())));
    }
    Set<String> accepted = new HashSet<>();
    for (CompletableFuture<Api.Response> answer : answers) accepted.add(eventId(answer.get(60, TimeUnit.SECONDS)));
    assertThat(accepted).hasSize(200);
    assertThat(events()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(60)).until(() -> openwhisk.fires("guest", "burst").size() >= 200);
    List<String> fired = ids(openwhisk.fires("guest", "burst"));
    assertThat(fired).hasSize(200).doesNotHaveDuplicates();
    assertThat(new HashSet<>(fired)).isEqualTo(accepted);
    await().atMost(FIRED).until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'") == 200);
    // every body reached its own event
    Set<Integer> ns = new HashSet<>();
    openwhisk.fires("guest", "burst").forEach(f -> {
      JsonObject data = f.json().getJsonObject("event").getJsonObject("data");
      assertThat(data.getJsonObject("query").getString("n")).isEqualTo(String.valueOf(data.getJsonObject("body").getInteger("n")));
      ns.add(data.getJsonObject("body").getInteger("n"));
    });
    assertThat(ns).hasSize(200);
  }

  @Test
  void aDeleteDuringDeliveriesLeavesNoEventBehind() throws Exception {
    String path = hook("deleted", new JsonObject());
    api.pause("guest", "deleted");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      answers.add(http.sendAsync(sender.request(path, "{}".getBytes(StandardCharsets.UTF_8), headers()),
          HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(FIRED).until(() -> answers.stream().anyMatch(CompletableFuture::isDone));
    assertThat(api.delete("guest", "deleted").status()).isEqualTo(200);
    int accepted = 0;
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      int status = answer.get(60, TimeUnit.SECONDS).statusCode();
      assertThat(status).isIn(202, 404);
      if (status == 202) accepted++;
    }
    assertThat(accepted).isPositive();
    // events accepted before the DELETE were discarded with the feed; none was written after it
    assertThat(events()).isZero();
    assertThat(openwhisk.fires("guest", "deleted")).isEmpty();
  }

  String state(String trigger) {
    return api.read("guest", trigger).json().getJsonObject("status").getString("state");
  }

  static JsonObject assertBody(Recorded fire, String encoding, String body, String contentType) {
    JsonObject data = fire.json().getJsonObject("event").getJsonObject("data");
    assertThat(data.getString("bodyEncoding")).isEqualTo(encoding);
    assertThat(data.getString("body")).isEqualTo(body);
    assertThat(data.getString("contentType")).isEqualTo(contentType);
    return data;
  }

  static void assertError(Api.Response r, int status, String messagePart) {
    LifecycleIT.assertError(r, status, messagePart);
  }

  static List<String> ids(List<Recorded> fires) {
    return fires.stream().map(f -> f.header("X-Whiskfeed-Event-Id")).toList();
  }
}
