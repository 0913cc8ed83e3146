package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.DedicatedPostgres;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Database restart: the control database (which is also the event store of a changes feed) is stopped (fast mode:
 * every connection cut) and started again while a writer commits rows and the provider delivers them. The provider
 * answers /health 503 while it is down and 200 after, reconnects its pool and its LISTEN connection (seen in
 * pg_stat_activity), loses nothing,
 * does not fire again what OpenWhisk had already accepted, and logs the outage in a handful of lines, not a storm.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DatabaseRestartReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:dbRestartReliabilityKey";
  /**
   * Longer than the 5 s lease: leases run out while the database is down. The full-size run holds it down three
   * times longer, with the same bound on warnings: they come once per outage, not once per retry.
   */
  static final Duration OUTAGE = Duration.ofSeconds(Reliability.full() ? 20 : 7);

  @Test
  void postgresStoppedAndStartedUnderLoadLosesNothing() throws Exception {
    int load = Reliability.load(2_000, 20_000);
    try (DedicatedPostgres server = new DedicatedPostgres()) {
      TestDatabase db = server.postgres().newDatabase("dbrestart");
      db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
      Map<String, String> env = TestProvider.env(db, openwhisk.url());
      Path log = Path.of("target", "reliability-dbrestart.log");
      try (ProviderProcess provider = ProviderProcess.start(env, log)) {
        Api api = new Api(provider.port(), KEY);
        Api.Response created = api.create("guest", "orders",
            new JsonObject().put("kind", "changes").put("table", "public.orders"));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        // fires take 300 ms: when the database stops, fires are in flight and their outcomes cannot be written
        openwhisk.defaultReply("guest", "orders", Reply.slow(Duration.ofMillis(300)));
        // about 500 rows a second: the outage falls in the middle of the load
        try (RowWriter writer = new RowWriter(db, "public.orders", 10, Duration.ofMillis(20), load).start()) {
          await().atMost(Duration.ofSeconds(60)).until(() -> openwhisk.fireCount() >= load / 4);

          Instant stoppedAt = Instant.now();
          int logLinesBefore = lines(provider.output()).size();
          server.stop();
          await().atMost(Duration.ofSeconds(20)).until(() -> health(api) == 503);
          // down for longer than a lease, checked all along
          await().during(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> health(api) == 503);
          server.start();
          Instant restartedAt = Instant.now();
          await().atMost(Duration.ofSeconds(30)).until(() -> health(api) == 200);
          long backMs = Duration.between(restartedAt, Instant.now()).toMillis();
          await().atMost(Duration.ofSeconds(30)).until(() -> listening(db));
          List<String> sinceStop = lines(provider.output());
          List<String> outageLog = sinceStop.subList(logLinesBefore, sinceStop.size());

          await().atMost(Duration.ofSeconds(120)).until(writer::done);
          long t0 = System.nanoTime();
          await().atMost(Duration.ofSeconds(120))
              .until(() -> Reliability.count(db, "state = 'delivered'") == load);
          long drainMs = (System.nanoTime() - t0) / 1_000_000;

          List<Recorded> fires = openwhisk.fires("guest", "orders");
          Set<String> delivered = Reliability.delivered(fires);
          // accepted well before the stop, so the provider had the answer: it must not fire them after the restart
          Set<String> acceptedBefore = fires.stream().filter(Reliability::accepted)
              .filter(f -> f.answeredAt().isBefore(stoppedAt.minusSeconds(1)))
              .map(f -> f.header("X-Whiskfeed-Event-Id")).collect(Collectors.toSet());
          List<String> firedAgain = fires.stream().filter(f -> f.receivedAt().isAfter(restartedAt))
              .map(f -> f.header("X-Whiskfeed-Event-Id")).filter(acceptedBefore::contains).distinct().toList();
          List<String> warnings = outageLog.stream().filter(l -> l.contains("\"level\":\"WARN\"")
              || l.contains("\"level\":\"ERROR\"")).toList();
          Reliability.report("dbrestart", load, "postgres-stop-fast-" + OUTAGE.toSeconds() + "s", written(db),
              delivered.size(), Reliability.duplicated(fires), load - delivered.size(), drainMs,
              "writerRetries=" + writer.failures() + " healthBackMs=" + backMs + " outageLogLines=" + outageLog.size()
                  + " outageWarnings=" + warnings.size() + " firedAgainAfterRestart=" + firedAgain.size());

          assertThat(written(db)).isEqualTo(load);
          assertThat(Reliability.count(db, "true")).as("one event per committed row").isEqualTo(load);
          assertThat(delivered).hasSize(load);
          assertThat(firedAgain).as("events OpenWhisk accepted before the outage, fired again after it").isEmpty();
          // backoff, not a storm: a line or two per component and outage, whatever its length
          assertThat(warnings).as(String.join("\n", warnings)).hasSizeLessThan(15);
        }
      }
    }
  }

  static int health(Api api) {
    try {
      return api.send("GET", "/health", null).status();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The provider's LISTEN connection is back: its last statement, as Postgres shows it, was the LISTEN. */
  static boolean listening(TestDatabase db) {
    try {
      return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'whiskfeed' "
          + "AND query ILIKE 'LISTEN%'") > 0;
    } catch (RuntimeException e) {
      return false;
    }
  }

  static long written(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM public.orders");
  }

  static List<String> lines(String output) {
    return output.lines().toList();
  }
}
