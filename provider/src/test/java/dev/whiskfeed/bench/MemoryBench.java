package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.ProviderProcess;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Memory for 10k configured feeds (mostly idle alarms and webhooks, some changes feeds) minus the
 * empty provider: heap after a full GC, and the process's resident set, in the same JVM.
 * Run: {@code mvn -B -Pbench verify -pl provider -am -Dit.test=MemoryBench}.
 */
@ExtendWith(PgExtension.class)
class MemoryBench {
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";
  static final int FEEDS = Integer.getInteger("bench.feeds", 10_000);
  static final int CHANGES = 100;

  @Test
  void tenThousandFeeds(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("memory");
    for (int i = 0; i < CHANGES; i++) db.execute("CREATE TABLE public.m" + i + " (id bigserial PRIMARY KEY, v int)");
    try (Provider provider = TestProvider.start(db, "http://127.0.0.1:9", Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"))) {
      long[] empty = measure();
      create(new Api(provider.port(), KEY));
      long[] full = measure();
      System.out.printf("BENCH memory for %d feeds (%d changes, the rest webhooks and alarms): heap +%.1f MB "
          + "(%.1f -> %.1f MB after full GC), resident set +%.1f MB (%.1f -> %.1f MB, whole test JVM)%n", FEEDS, CHANGES,
          (full[0] - empty[0]) / 1e6, empty[0] / 1e6, full[0] / 1e6, (full[1] - empty[1]) / 1e6, empty[1] / 1e6,
          full[1] / 1e6);
    }
  }

  /** The same feeds in the built jar as a process of its own (-Xmx256m), so the resident set is the provider's alone. */
  @Test
  void tenThousandFeedsInTheProviderProcess(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("memoryprocess");
    for (int i = 0; i < CHANGES; i++) db.execute("CREATE TABLE public.m" + i + " (id bigserial PRIMARY KEY, v int)");
    Map<String, String> env = TestProvider.env(db, "http://127.0.0.1:9");
    env.put("WHISKFEED_VERIFY_TRIGGERS", "false");
    try (ProviderProcess provider = ProviderProcess.start(env, Path.of("target", "memory-bench-provider.log"))) {
      long empty = settledResidentSet(provider);
      create(new Api(provider.port(), KEY));
      long full = settledResidentSet(provider);
      System.out.printf("BENCH memory for %d feeds in the provider process (-Xmx256m): resident set +%.1f MB "
          + "(%.1f -> %.1f MB)%n", FEEDS, (full - empty) / 1e6, empty / 1e6, full / 1e6);
    }
  }

  private static long settledResidentSet(ProviderProcess provider) throws Exception {
    for (int i = 0; i < 2; i++) {
      provider.collectGarbage();
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L);
    }
    return provider.residentBytes();
  }

  private static void create(Api api) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < FEEDS; i++) {
      JsonObject body = i < CHANGES ? new JsonObject().put("kind", "changes").put("table", "public.m" + i)
          : i % 2 == 0 ? new JsonObject().put("kind", "webhook")
          : new JsonObject().put("kind", "alarm").put("cron", "0 3 * * *");
      String trigger = "f" + i;
      answers.add(pool.submit(() -> api.create("bench", trigger, body).status()));
    }
    for (Future<Integer> a : answers) assertThat(a.get()).isEqualTo(200);
    pool.shutdown();
  }

  /** Heap used after a full collection, and the resident set size, in bytes. */
  private static long[] measure() throws Exception {
    for (int i = 0; i < 3; i++) {
      System.gc();
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1);
    return new long[] {heap, rss};
  }
}
