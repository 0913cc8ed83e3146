package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.openwhisk.FireAnswer;
import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.openwhisk.QualifiedName;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's requests as the stand-in OpenWhisk receives them, and what it reads of the answers:
 * a fire's wire format is OpenWhisk's contract (and the delivery log's), whatever builds the request.
 */
class OpenWhiskClientIT extends WithStandInOpenWhisk {
  static final String KEY =
      "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
  static final String OTHER_KEY = "0b9d7f43-8a2c-4f51-9c3e-2d1e5f6a7b8c:anotherkey";
  static final QualifiedName TRIGGER = new QualifiedName("user@example.com_dev", "my trigger");
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  @BeforeEach
  void resetStandIn() {
    openwhisk.reset();
  }

  @Test
  void aFireCarriesExactlyItsHeadersAndBody() {
    FireAnswer answer = await(client(openwhisk.url())
        .fire(TRIGGER, KEY, Buffer.buffer("{\"n\":1}"), "e1,e2", TIMEOUT));

    Recorded fire = onlyFire();
    assertThat(fire.method()).isEqualTo("POST");
    assertThat(fire.path()).isEqualTo("/api/v1/namespaces/user%40example.com_dev/triggers/my%20trigger");
    assertThat(fire.headers()).isEqualTo(Map.of(
        "host", URI.create(openwhisk.url()).getAuthority(),
        "authorization", "Basic MjNiYzQ2YjEtNzFmNi00ZWQ1LThjNTQtODE2YWE0ZjhjNTAyOjEyM3pPM3haQ0xyTU42djJCS0sxZFhZRnBYbFBrY2NP"
            + "RnFtMTJDZEFzTWdSVTRWck5aOWx5R1ZDR3VNREdJd1A=",
        "content-type", "application/json",
        "x-whiskfeed-event-id", "e1,e2",
        "user-agent", "whiskfeed",
        "content-length", "7"));
    assertThat(fire.body()).isEqualTo("{\"n\":1}");
    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.activationId()).isNotNull().isEqualTo(fire.activationId());
    assertThat(answer.body()).contains(fire.activationId());
    assertThat(answer.retryAfter()).isNull();
  }

  @Test
  void theAnswersRetryAfterAndBodyAreRead() {
    openwhisk.reply(TRIGGER.namespace(), TRIGGER.name(),
        Reply.status(429).withHeader("Retry-After", "7").withBody("{\"error\":\"too many\"}"));

    FireAnswer answer = await(client(openwhisk.url()).fire(TRIGGER, KEY, Buffer.buffer("{}"), "e1", TIMEOUT));

    assertThat(answer).isEqualTo(new FireAnswer(429, "7", null, "{\"error\":\"too many\"}"));
  }

  @Test
  void anAnswerWithoutABodyHasNone() {
    openwhisk.reply(TRIGGER.namespace(), TRIGGER.name(), Reply.noActiveRule(), Reply.status(502).withBody(""),
        Reply.status(202).withBody(""));
    OpenWhiskClient client = client(openwhisk.url());

    List<FireAnswer> answers = List.of(
        await(client.fire(TRIGGER, KEY, Buffer.buffer("{}"), "e1", TIMEOUT)),
        await(client.fire(TRIGGER, KEY, Buffer.buffer("{}"), "e1", TIMEOUT)),
        await(client.fire(TRIGGER, KEY, Buffer.buffer("{}"), "e1", TIMEOUT)));

    assertThat(answers).containsExactly(new FireAnswer(204, null, null, null), new FireAnswer(502, null, null, null),
        new FireAnswer(202, null, null, null));
  }

  @Test
  void eachKeyFiresWithItsOwnCredentials() {
    OpenWhiskClient client = client(openwhisk.url());
    for (String key : List.of(KEY, OTHER_KEY, KEY)) {
      await(client.fire(TRIGGER, key, Buffer.buffer("{}"), "e1", TIMEOUT));
    }
    await(client.fire(new QualifiedName("guest", "t"), OTHER_KEY, Buffer.buffer("{}"), "e2", TIMEOUT));

    assertThat(openwhisk.fires()).extracting(Recorded::authKey).containsExactly(KEY, OTHER_KEY, KEY, OTHER_KEY);
    assertThat(openwhisk.fires()).extracting(Recorded::path).containsExactly(
        "/api/v1/namespaces/user%40example.com_dev/triggers/my%20trigger",
        "/api/v1/namespaces/user%40example.com_dev/triggers/my%20trigger",
        "/api/v1/namespaces/user%40example.com_dev/triggers/my%20trigger",
        "/api/v1/namespaces/guest/triggers/t");
  }

  @Test
  void aBaseUrlWithAPathKeepsIt() {
    await(client(openwhisk.url() + "/openwhisk/").fire(new QualifiedName("guest", "t"), KEY, Buffer.buffer("{}"), "e1",
        TIMEOUT));

    assertThat(openwhisk.requests()).extracting(Recorded::path)
        .containsExactly("/openwhisk/api/v1/namespaces/guest/triggers/t");
  }

  @Test
  void aFireWithoutAnAnswerFailsAtItsTimeout() {
    openwhisk.reply(TRIGGER.namespace(), TRIGGER.name(), Reply.timeout());

    Future<FireAnswer> fire = client(openwhisk.url())
        .fire(TRIGGER, KEY, Buffer.buffer("{}"), "e1", Duration.ofMillis(300));

    assertThatThrownBy(() -> await(fire)).hasMessageContaining(
        "The timeout period of 300ms has been exceeded while executing POST "
            + "/api/v1/namespaces/user%40example.com_dev/triggers/my%20trigger for server 127.0.0.1:");
  }

  @Test
  void aDroppedConnectionFailsTheFire() {
    openwhisk.reply(TRIGGER.namespace(), TRIGGER.name(), Reply.drop());

    Future<FireAnswer> fire = client(openwhisk.url()).fire(TRIGGER, KEY, Buffer.buffer("{}"), "e1", TIMEOUT);

    assertThatThrownBy(() -> await(fire)).hasMessageContaining("Connection was closed");
  }

  @Test
  void anHttpsUrlFiresOverTls() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    List<Boolean> encrypted = new CopyOnWriteArrayList<>();
    HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(r -> {
          encrypted.add(r.isSSL());
          r.response().setStatusCode(202).end("{}");
        })
        .listen(0, "localhost"));
    try {
      String url = "https://localhost:" + server.actualPort();
      FireAnswer answer = await(client(url, new HttpClientOptions().setTrustOptions(cert.trustOptions()))
          .fire(TRIGGER, KEY, Buffer.buffer("{}"), "e1", TIMEOUT));
      assertThat(answer.status()).isEqualTo(202);
      assertThat(encrypted).containsExactly(true);

      // the JVM's trust store does not hold the test's certificate: no request goes out
      assertThatThrownBy(() -> await(client(url).fire(TRIGGER, KEY, Buffer.buffer("{}"), "e2", TIMEOUT)))
          .hasStackTraceContaining("PKIX path building failed");
      assertThat(encrypted).hasSize(1);
    } finally {
      await(server.close());
      cert.delete();
    }
  }

  private static Recorded onlyFire() {
    assertThat(openwhisk.fires()).hasSize(1);
    return openwhisk.fires().get(0);
  }

  private static OpenWhiskClient client(String url) {
    return client(url, new HttpClientOptions());
  }

  /** As the provider builds it, with these TLS options. */
  private static OpenWhiskClient client(String url, HttpClientOptions tls) {
    WebClientOptions options = new WebClientOptions(tls).setKeepAlive(true).setUserAgent("whiskfeed");
    return new OpenWhiskClient(WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(4)), URI.create(url));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
