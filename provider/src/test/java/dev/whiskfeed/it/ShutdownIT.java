package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
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
 * The built jar as a process: SIGTERM with fires in flight and more events claimed and waiting. The process lets
 * the fires in flight finish, hands the waiting events' leases back, and exits 0 within the grace period; a new
 * instance then delivers the rest at once (not after the leases would have expired), and nothing is lost or fired
 * twice.
 */
@ExtendWith(PgExtension.class)
@Timeout(180)
class ShutdownIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:shutdownTestKey";
  static final int EVENTS = 10;
  static final int GRACE_SEC = 10;
  static final int LEASE_SEC = 60;

  @Test
  void sigtermWithWorkInFlightExitsZeroAndLosesNothing(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("shutdown");
    Vertx vertx = Vertx.vertx();
    StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
    Process process = null;
    try {
      int port = freePort();
      Path log = Path.of("target", "shutdown-it-" + System.nanoTime() + ".log");
      process = start(db, openwhisk.url(), port, log);
      Api api = new Api(port, KEY);
      await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> api.send("GET", "/ping", null).status() == 200);

      // fires (only fires: trigger checks stay quick) are answered 3 s late
      openwhisk.defaultReply("guest", "t", Reply.slow(Duration.ofSeconds(3)));
      assertThat(api.create("guest", "t", new JsonObject().put("kind", "webhook")).status()).isEqualTo(200);
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < EVENTS; i++) ids.add(api.event("guest", "t", new JsonObject().put("n", i)).json().getString("eventId"));
      // two fires in flight (WHISKFEED_MAX_CONCURRENT_FIRES=2), the other events claimed and waiting for a slot
      await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires().size() == 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> Held.count(db) == EVENTS);

      long t0 = System.nanoTime();
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(GRACE_SEC + 20, TimeUnit.SECONDS)).as("stopped in time").isTrue();
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      String output = Files.readString(log);
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(took).isLessThan(Duration.ofSeconds(GRACE_SEC + 5));
      assertThat(output).contains("\"event\":\"delivery.stopped\"", "\"event\":\"provider.stopped\"");

      // the fires in flight were answered and acknowledged; every other lease was handed back
      assertThat(openwhisk.fires().stream().filter(Recorded::answered).count()).isEqualTo(2);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'")).isEqualTo(2);
      assertThat(Held.count(db)).isZero();
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.claims")).isZero();

      openwhisk.defaultReply("guest", "t", Reply.accepted());
      try (Provider next = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_LEASE_SEC", "" + LEASE_SEC))) {
        await().atMost(Duration.ofSeconds(15)).until(() -> db.queryLong(
            "SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'") == EVENTS);
      }
      List<String> fired = openwhisk.fires().stream().map(f -> f.json().getString("id")).toList();
      assertThat(new HashSet<>(fired)).isEqualTo(ids);
      assertThat(fired).hasSize(EVENTS);
    } finally {
      if (process != null && process.isAlive()) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      openwhisk.close();
      vertx.close();
    }
  }

  private static Process start(TestDatabase db, String openwhiskUrl, int port, Path log) throws IOException {
    String jar = System.getProperty("whiskfeed.providerJar");
    assertThat(jar).as("system property whiskfeed.providerJar (set by failsafe)").isNotNull();
    assertThat(Path.of(jar)).as("run after package").exists();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.putAll(TestProvider.env(db, openwhiskUrl));
    env.put("WHISKFEED_HTTP_PORT", Integer.toString(port));
    env.put("WHISKFEED_SHUTDOWN_GRACE_SEC", Integer.toString(GRACE_SEC));
    env.put("WHISKFEED_LEASE_SEC", Integer.toString(LEASE_SEC));
    env.put("WHISKFEED_MAX_CONCURRENT_FIRES", "2");
    env.put("WHISKFEED_LOG_FORMAT", "json");
    env.put("WHISKFEED_DATA_DIR", log.resolveSibling("shutdown-it-data").toString());
    return builder.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
