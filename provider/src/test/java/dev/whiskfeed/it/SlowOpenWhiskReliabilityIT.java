package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow OpenWhisk: every fire takes 2 s to be answered while a backlog waits. The provider keeps answering /ping
 * promptly (the latencies are printed; only a generous bound is asserted, timing on a shared machine varies), holds
 * a bounded number of leased events (memory does not grow with the backlog), and drains the backlog once OpenWhisk
 * is fast again.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SlowOpenWhiskReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:slowOpenWhiskReliabilityKey";
  /** 32 fires a second while every fire takes 2 s: the backlog outlasts the slow phase. */
  static final int MAX_CONCURRENT_FIRES = 64;
  /** DeliveryEngine holds at most max(4000, 4 × fires) claimed events; acks on their way may add a fire's worth. */
  static final int MAX_LEASED = Math.max(4000, 4 * MAX_CONCURRENT_FIRES) + MAX_CONCURRENT_FIRES;

  @Test
  void twoSecondFiresLeaveTheProviderResponsiveAndTheBacklogDrainsAfterwards(TestPostgres pg) throws Exception {
    int load = Reliability.load(800, 10_000);
    int pings = Reliability.load(20, 150);
    TestDatabase db = pg.newDatabase("slowow");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    Map<String, String> env = TestProvider.env(db, openwhisk.url());
    env.put("WHISKFEED_MAX_CONCURRENT_FIRES", "" + MAX_CONCURRENT_FIRES);
    try (ProviderProcess provider = ProviderProcess.start(env, Path.of("target", "reliability-slow.log"))) {
      Api api = new Api(provider.port(), KEY);
      assertThat(api.create("guest", "orders", new JsonObject().put("kind", "changes").put("table", "public.orders"))
          .status()).isEqualTo(200);
      openwhisk.defaultReply("guest", "orders", Reply.slow(Duration.ofSeconds(2)));
      db.execute("INSERT INTO public.orders SELECT g, 'order ' || g FROM generate_series(1, " + load + ") g");
      await().atMost(Duration.ofSeconds(30)).until(() -> openwhisk.fireCount() >= MAX_CONCURRENT_FIRES / 2);

      // while fires crawl: /ping latency, leased events, heap; one sample every 200 ms
      List<Long> pingMs = Collections.synchronizedList(new ArrayList<>());
      long[] maxLeased = {0};
      double[] maxHeapMb = {0};
      await().atMost(Duration.ofSeconds(pings)).pollInterval(Duration.ofMillis(200)).until(() -> {
        long t = System.nanoTime();
        assertThat(api.send("GET", "/ping", null).status()).isEqualTo(200);
        pingMs.add((System.nanoTime() - t) / 1_000_000);
        maxLeased[0] = Math.max(maxLeased[0], Held.count(db));
        maxHeapMb[0] = Math.max(maxHeapMb[0], heapMb(api));
        return pingMs.size() >= pings;
      });
      long deliveredSlowly = Reliability.count(db, "state = 'delivered'");

      openwhisk.defaultReply("guest", "orders", Reply.accepted());
      long t0 = System.nanoTime();
      await().atMost(Duration.ofSeconds(180)).until(() -> Reliability.count(db, "state = 'delivered'") == load);
      long drainMs = (System.nanoTime() - t0) / 1_000_000;

      List<Long> sorted = new ArrayList<>(pingMs);
      Collections.sort(sorted);
      long p50 = sorted.get(sorted.size() / 2);
      long p99 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
      long max = sorted.get(sorted.size() - 1);
      List<Recorded> fires = openwhisk.fires("guest", "orders");
      Reliability.report("slow-openwhisk", load, "every-fire-2s", Reliability.count(db, "true"),
          Reliability.delivered(fires).size(), Reliability.duplicated(fires), load - Reliability.delivered(fires).size(),
          drainMs, "deliveredWhileSlow=" + deliveredSlowly + " pingMsP50=" + p50 + " pingMsP99=" + p99 + " pingMsMax="
              + max + " pingsUnder100ms=" + sorted.stream().filter(ms -> ms < 100).count() + "/" + sorted.size()
              + " maxLeased=" + maxLeased[0] + " maxHeapMb=" + Math.round(maxHeapMb[0]));

      assertThat(Reliability.delivered(fires)).hasSize(load);
      assertThat(p50).as("/ping while every fire takes 2 s (ms)").isLessThan(1_000);
      assertThat(maxLeased[0]).as("events held at once, however long the backlog").isLessThanOrEqualTo(MAX_LEASED);
    }
  }

  /** Heap in use, from the provider's own /metrics. */
  static double heapMb(Api api) {
    double bytes = 0;
    for (String line : api.send("GET", "/metrics", null).body().lines().toList()) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return bytes / (1024 * 1024);
  }
}
