package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.hooks.HookSignature;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hook requests per second: {@code concurrency} keep-alive senders POST a ~300-byte JSON body until
 * {@code requests} were answered 202 (each answer means a committed event row), then the time until
 * the receiver got every event. Client, provider and Postgres share the machine. Prints figures;
 * asserts only completeness. Run: {@code mvn -B -Pbench verify -pl provider -am -Dit.test=IntakeBench}.
 */
@ExtendWith(PgExtension.class)
class IntakeBench {
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";
  static final String SECRET = "bench-secret";
  static final byte[] BODY = ("{\"action\":\"opened\",\"number\":42,\"repository\":{\"full_name\":\"octo/hello\"},"
      + "\"sender\":{\"login\":\"octocat\"},\"pad\":\"" + "x".repeat(180) + "\"}").getBytes(StandardCharsets.UTF_8);

  @Test
  void hookThroughput(TestPostgres pg) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (Receiver receiver = Receiver.start(vertx)) {
      int requests = Integer.getInteger("bench.requests", 20_000);
      for (int rep = 0; rep < Integer.getInteger("bench.reps", 2); rep++) {
        run(vertx, pg, receiver, "unsigned, 1 hook", 1, false, 64, requests);
        run(vertx, pg, receiver, "signed, 1 hook", 1, true, 64, requests);
        run(vertx, pg, receiver, "unsigned, 10 hooks", 10, false, 64, requests);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void run(Vertx vertx, TestPostgres pg, Receiver receiver, String name, int hooks, boolean signed,
                   int concurrency, int requests) throws Exception {
    receiver.seen.clear();
    receiver.duplicates.set(0);
    try (Provider provider = TestProvider.start(pg.newDatabase("hookbench"), receiver.url(), Map.of(
        "WHISKFEED_VERIFY_TRIGGERS", "false", "WHISKFEED_DB_POOL_SIZE", "8", "WHISKFEED_LEASE_SEC", "30"))) {
      Api api = new Api(provider.port(), KEY);
      List<String> paths = new ArrayList<>();
      for (int h = 0; h < hooks; h++) {
        JsonObject params = new JsonObject().put("kind", "webhook");
        if (signed) params.put("secret", SECRET);
        String url = api.create("bench", "h" + h, params).json().getJsonObject("feed").getJsonObject("config")
            .getString("hookUrl");
        paths.add(URI.create(url).getRawPath());
      }
      String signature = HookSignature.sign(SECRET, BODY);
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(concurrency));
      AtomicInteger next = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      long t0 = System.nanoTime();
      List<Future<Void>> senders = new ArrayList<>();
      for (int c = 0; c < concurrency; c++) {
        Promise<Void> done = Promise.promise();
        send(client, provider.port(), paths, signed ? signature : null, next, requests, refused, done);
        senders.add(done.future());
      }
      Future.all(senders).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
      double acceptSecs = (System.nanoTime() - t0) / 1e9;
      while (receiver.seen.size() < requests && System.nanoTime() - t0 < 300_000_000_000L) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      double firedSecs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("BENCH hooks %s, %d senders, %d requests: %.0f accepted/s (202 after commit), "
              + "%.0f fired/s end to end (%d refused, %d duplicates)%n", name, concurrency, requests,
          requests / acceptSecs, requests / firedSecs, refused.get(), receiver.duplicates.get());
      client.close();
      assertThat(refused.get()).isZero();
      assertThat(receiver.seen).hasSize(requests);
    }
  }

  /** One sender: POSTs until {@code requests} were taken by all senders together. */
  private void send(HttpClient client, int port, List<String> paths, String signature, AtomicInteger next,
                    int requests, AtomicInteger refused, Promise<Void> done) {
    int n = next.getAndIncrement();
    if (n >= requests) {
      done.complete();
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(paths.get(n % paths.size())).putHeader("Content-Type", "application/json")
        .putHeader("X-GitHub-Event", "pull_request");
    if (signature != null) options.putHeader(HookSignature.HEADER, signature);
    client.request(options)
        .compose(req -> req.send(Buffer.buffer(BODY)))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          if (ar.failed() || ar.result() != 202) refused.incrementAndGet();
          send(client, port, paths, signature, next, requests, refused, done);
        });
  }
}
