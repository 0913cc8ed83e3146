package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.DedicatedPostgres;
import dev.whiskfeed.testing.TestDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * An operator stops the control database (fast shutdown) while the provider runs with the default
 * {@code sslmode=prefer} against a server without TLS. The provider reconnects all through the
 * shutdown; none of its connections may hold the stop for {@code authentication_timeout} (60 s by
 * default) by opening a connection and sending nothing, as the Vert.x client's prefer did (it left
 * its TLS attempt open after the server's "no").
 *
 * <p>The test makes the window where connections arrive during the shutdown wide and certain: a
 * replication client of its own reads nothing, so the shutdown waits {@code wal_sender_timeout} (5 s
 * here) for it, and /health (a query on a fresh pool connection) is asked all along.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DatabaseStopIT extends WithStandInOpenWhisk {
  static final Duration WAL_SENDER_TIMEOUT = Duration.ofSeconds(5);

  @Test
  void connectionsMadeWhileTheServerShutsDownDoNotHoldTheStopForAuthenticationTimeout() throws Exception {
    try (DedicatedPostgres server = new DedicatedPostgres(Map.of("authentication_timeout", "60s",
        "wal_sender_timeout", WAL_SENDER_TIMEOUT.toSeconds() + "s", "log_connections", "on"))) {
      TestDatabase db = server.postgres().newDatabase("dbstop");
      db.execute("CREATE TABLE public.held (id bigint PRIMARY KEY)");
      db.execute("CREATE PUBLICATION held FOR TABLE public.held");
      db.execute("SELECT pg_create_logical_replication_slot('held', 'pgoutput')");
      try (Provider provider = TestProvider.start(db, openwhisk.url());
           Connection replication = replication(db)) {
        Api api = new Api(provider.port(), "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:dbStopKey");
        await().atMost(Duration.ofSeconds(30)).until(() -> DatabaseRestartReliabilityIT.health(api) == 200);
        // a walsender whose client never confirms: the shutdown waits wal_sender_timeout for it
        PGReplicationStream held = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
            .logical().withSlotName("held").withSlotOption("proto_version", 1)
            .withSlotOption("publication_names", "held").start();
        assertThat(held).isNotNull();
        AtomicBoolean stopping = new AtomicBoolean(true);
        Thread asking = new Thread(() -> {
          while (stopping.get()) {
            DatabaseRestartReliabilityIT.health(api);
          }
        });
        asking.start();
        long t0 = System.nanoTime();
        try {
          server.stop();
        } finally {
          stopping.set(false);
          asking.join();
        }
        Duration stopTook = Duration.ofNanos(System.nanoTime() - t0);

        List<String> log = Files.readAllLines(server.logFile());
        List<String> duringShutdown = log.subList(indexOf(log, "received fast shutdown request"), log.size());
        long received = duringShutdown.stream().filter(l -> l.contains("connection received")).count();
        assertThat(received).as("the provider connected while the server shut down (else this test shows nothing)")
            .isPositive();
        assertThat(stopTook).as("fast shutdown with the provider reconnecting (authentication_timeout 60 s):\n"
                + String.join("\n", duringShutdown))
            .isLessThan(WAL_SENDER_TIMEOUT.plusSeconds(20));

        server.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> DatabaseRestartReliabilityIT.health(api) == 200);
      }
    }
  }

  private static int indexOf(List<String> log, String text) {
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains(text)) return i;
    }
    throw new AssertionError("no '" + text + "' in the server's log");
  }

  private static Connection replication(TestDatabase db) throws Exception {
    Properties p = new Properties();
    PGProperty.USER.set(p, db.user());
    PGProperty.PASSWORD.set(p, db.password());
    PGProperty.REPLICATION.set(p, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "14");
    PGProperty.PREFER_QUERY_MODE.set(p, "simple");
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }
}
