package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Crash: the provider (the built jar, a process of its own) is SIGKILLed in the middle of a backlog of changes
 * events and started again. Every event is delivered; the only events fired twice are ones the killed process held
 * a lease on when it died (it may have fired them without getting to write the acknowledgement).
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CrashReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:crashReliabilityKey";
  /**
   * The full-size run measures duplicates with the default lease (30 s), as users run it: the scaled one uses the
   * tests' 5 s to restart quickly, and renewing every held event three times per 5 s costs the database so much that
   * acknowledgements fall further behind the fires (about four times the duplicates, measured).
   */
  static final int LEASE_SEC = Reliability.full() ? 30 : 5;

  @Test
  void sigkillInTheMiddleOfABacklogLosesNothing(TestPostgres pg) throws Exception {
    int load = Reliability.load(1_000, 10_000);
    TestDatabase db = pg.newDatabase("crash");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    Map<String, String> env = TestProvider.env(db, openwhisk.url());
    env.put("WHISKFEED_INSTANCE_ID", "crash-first");
    env.put("WHISKFEED_LEASE_SEC", "" + LEASE_SEC);
    Set<String> leasedAtKill;
    try (ProviderProcess first = ProviderProcess.start(env, Path.of("target", "reliability-crash-first.log"))) {
      Api api = new Api(first.port(), KEY);
      Api.Response created = api.create("guest", "orders",
          new JsonObject().put("kind", "changes").put("table", "public.orders"));
      assertThat(created.status()).as(created.body()).isEqualTo(200);
      db.execute("INSERT INTO public.orders SELECT g, 'order ' || g FROM generate_series(1, " + load + ") g");
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10))
          .until(() -> openwhisk.fireCount() >= load / 3);
      first.kill();
      leasedAtKill = ids(db, "id IN (SELECT id FROM (" + Held.PENDING + ") x WHERE holder = 'crash-first')");
    }
    int firedBeforeKill = openwhisk.fireCount();
    long deliveredBeforeKill = Reliability.count(db, "state = 'delivered'");
    assertThat(deliveredBeforeKill).as("killed in the middle of the backlog").isLessThan(load);

    env.put("WHISKFEED_INSTANCE_ID", "crash-second");
    long t0 = System.nanoTime();
    try (ProviderProcess second = ProviderProcess.start(env, Path.of("target", "reliability-crash-second.log"))) {
      await().atMost(Duration.ofSeconds(180)).until(() -> Reliability.count(db, "state = 'delivered'") == load);
    }
    long drainMs = (System.nanoTime() - t0) / 1_000_000;

    List<Recorded> fires = openwhisk.fires("guest", "orders");
    Set<String> delivered = Reliability.delivered(fires);
    List<String> duplicates = Reliability.duplicateIds(fires);
    long written = Reliability.count(db, "true");
    Reliability.report("crash", load, "SIGKILL-lease" + LEASE_SEC + "s", written, delivered.size(), Reliability.duplicated(fires),
        load - delivered.size(), drainMs, "firedBeforeKill=" + firedBeforeKill + " deliveredBeforeKill="
            + deliveredBeforeKill + " leasedAtKill=" + leasedAtKill.size() + " duplicateIds="
            + duplicates.subList(0, Math.min(10, duplicates.size())));

    assertThat(written).as("one event per committed row").isEqualTo(load);
    assertThat(delivered).isEqualTo(ids(db, "true"));
    assertThat(Reliability.count(db, "state <> 'delivered'")).isZero();
    assertThat(leasedAtKill).as("an event fired twice was leased by the killed process").containsAll(duplicates);
  }

  static Set<String> ids(TestDatabase db, String where) {
    Set<String> out = new HashSet<>();
    db.query("SELECT id::text AS id FROM whiskfeed.events WHERE " + where).forEach(r -> out.add((String) r.get("id")));
    return out;
  }
}
