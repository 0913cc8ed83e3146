package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.DedicatedPostgres;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A source database whose slot whiskfeed reads is stopped (fast shutdown) by its operator: the
 * walsender waits for its client to confirm the shutdown checkpoint before the postmaster may exit,
 * up to {@code wal_sender_timeout}. The slot reader confirms what the server reported as soon as
 * nothing of its own is pending, so the stop takes seconds, not the timeout; after the restart
 * capture resumes where the stored events end, losing nothing and storing nothing twice.
 *
 * <p>A connection opened while the server shuts down can hold the stop too, for
 * {@code authentication_timeout} (60 s by default; seen with DatabaseRestartReliabilityIT): the
 * server here has 5 s of it, so a stop longer than 15 s can only be the walsender's.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WalSourceShutdownIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:walSourceShutdownKey";
  /** Postgres's default: what an operator's database runs with. */
  static final Duration WAL_SENDER_TIMEOUT = Duration.ofSeconds(60);

  /**
   * {@code source}: the feed reads a source database of its own, or the control database (the
   * events are then written to the database that stops).
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aFastShutdownOfTheSourceDoesNotWaitForTheSlotReaderAndCaptureResumesAfterIt(boolean ownSource, TestPostgres pg)
      throws Exception {
    openwhisk.reset();
    int load = 1_500;
    try (DedicatedPostgres source = new DedicatedPostgres(Map.of("wal_sender_timeout", WAL_SENDER_TIMEOUT.toSeconds() + "s",
        "authentication_timeout", "5s"))) {
      TestDatabase db = source.postgres().newDatabase("walstop");
      TestDatabase control = ownSource ? pg.newDatabase("walstopcontrol") : db;
      db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
      db.execute("CREATE TABLE public.other (id bigint PRIMARY KEY, note text)"); // not captured
      Map<String, String> env = TestProvider.env(control, openwhisk.url());
      JsonObject feed = new JsonObject().put("kind", "changes").put("table", "public.orders").put("capture", "wal");
      if (ownSource) {
        env.put("WHISKFEED_SOURCES", "shop=" + db.url());
        env.put("WHISKFEED_SOURCE_NAMESPACES", "control=*;shop=*");
        feed.put("source", "shop");
      }
      try (Provider provider = TestProvider.start(env)) {
        Api api = new Api(provider.port(), KEY);
        Api.Response created = api.create("guest", "orders", feed);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        try (RowWriter captured = new RowWriter(db, "public.orders", 10, Duration.ofMillis(20), load).start();
             RowWriter other = new RowWriter(db, "public.other", 10, Duration.ofMillis(20), load).start()) {
          await().atMost(Duration.ofSeconds(60)).until(() -> openwhisk.fireCount() >= load / 5);
          assertThat(walSenders(db)).as("the slot reader is connected").isEqualTo(1);

          // writers are committing on both tables while the database stops
          long t0 = System.nanoTime();
          source.stop();
          Duration stopTook = Duration.ofNanos(System.nanoTime() - t0);
          assertThat(stopTook).as("fast shutdown with a slot reader connected (wal_sender_timeout "
              + WAL_SENDER_TIMEOUT.toSeconds() + " s)").isLessThan(Duration.ofSeconds(15));

          source.start();
          await().atMost(Duration.ofSeconds(120)).until(() -> captured.done() && other.done());
          long written = db.queryLong("SELECT count(*) FROM public.orders");
          assertThat(written).isEqualTo(load);
          await().atMost(Duration.ofSeconds(120))
              .until(() -> Reliability.count(control, "state = 'delivered'") == load);
          List<Recorded> fires = openwhisk.fires("guest", "orders");
          Reliability.report("wal-source-fast-shutdown-" + (ownSource ? "source" : "control"), load, "source-postgres-stop-fast", written,
              Reliability.delivered(fires).size(), Reliability.duplicated(fires),
              load - Reliability.delivered(fires).size(), 0, "stopMs=" + stopTook.toMillis());
          assertThat(Reliability.count(control, "true")).as("one event per committed row").isEqualTo(load);
          assertThat(Reliability.delivered(fires)).hasSize(load);
          assertThat(Reliability.duplicateIds(fires)).isEmpty();
        }
      }
    }
  }

  /** Walsenders of whiskfeed's slot readers connected to the source. */
  static long walSenders(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM pg_stat_replication WHERE application_name LIKE 'whiskfeed-wal%'");
  }
}
