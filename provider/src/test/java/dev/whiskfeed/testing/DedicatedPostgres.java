package dev.whiskfeed.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An embedded Postgres of a test's own, for faults the shared server must not suffer: {@link #stop()} it, and
 * {@link #start()} it again on the same port with the same data, as in a database restart. Needs no Docker.
 *
 * <pre>{@code
 * try (DedicatedPostgres pg = new DedicatedPostgres()) {
 *   // start the provider against pg.url() …
 *   pg.stop();   // connections fail
 *   pg.start();  // same port, same data
 * }
 * }</pre>
 */
public final class DedicatedPostgres implements AutoCloseable {

  private final Path root;
  private final int port;
  private final TestPostgres postgres;
  private final Map<String, String> settings;
  private volatile EmbeddedPostgres running;

  /** Creates the data directory and starts the server, with {@code wal_sender_timeout = 10s}. */
  public DedicatedPostgres() {
    this(Map.of());
  }

  /**
   * Creates the data directory and starts the server with these settings besides the harness's, e.g.
   * {@code wal_sender_timeout} (10 s unless given; Postgres's default is 60 s).
   */
  public DedicatedPostgres(Map<String, String> settings) {
    Map<String, String> all = new java.util.LinkedHashMap<>();
    all.put("wal_sender_timeout", "10s");
    all.putAll(settings);
    this.settings = Map.copyOf(all);
    try {
      root = Files.createTempDirectory("whiskfeed-dedicated-pg");
      port = freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    postgres = new TestPostgres(EmbeddedServers.HOST, port, EmbeddedServers.SUPER_USER,
        EmbeddedServers.SUPER_PASSWORD, "postgres");
    start();
  }

  /** Starts the server (again) on the same port and data directory; no-op while it runs. */
  public synchronized void start() {
    if (running != null) {
      return;
    }
    try {
      // a fast shutdown waits for every walsender's client to confirm the shutdown checkpoint, up to
      // wal_sender_timeout (60 s by default): a client that never confirms holds the stop that long
      EmbeddedPostgres.Builder builder = EmbeddedServers.builder(root.resolve("data"), port, root.resolve("postgres.log"));
      settings.forEach(builder::setServerConfig);
      running = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the dedicated Postgres on port " + port + "; the end of its log:\n"
          + logTail(), e);
    }
  }

  /** pg_ctl gives up waiting for the stop after a few seconds, while the postmaster may still be finishing it. */
  private void awaitPostmasterGone() throws IOException {
    Path pid = root.resolve("data").resolve("postmaster.pid");
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90))
          .pollInterval(java.time.Duration.ofMillis(100)).until(() -> !Files.exists(pid));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IOException("the dedicated Postgres did not stop within 90 s:\n" + logTail(), e);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(root.resolve("postgres.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Stops the server (fast shutdown: open connections are cut); its data stays for {@link #start()}. */
  public synchronized void stop() {
    if (running == null) {
      return;
    }
    try {
      running.close();
      awaitPostmasterGone();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      running = null;
    }
  }

  public void restart() {
    stop();
    start();
  }

  public boolean isRunning() {
    return running != null;
  }

  public String host() {
    return EmbeddedServers.HOST;
  }

  public int port() {
    return port;
  }

  /** The {@code postgres} database, as the superuser. */
  public TestDatabase database() {
    return new TestDatabase(host(), port, "postgres", EmbeddedServers.SUPER_USER, EmbeddedServers.SUPER_PASSWORD);
  }

  /** This server seen as a {@link TestPostgres}, to create more databases on it. */
  public TestPostgres postgres() {
    return postgres;
  }

  /** The server's log file (deleted with the server by {@link #close()}). */
  public Path logFile() {
    return root.resolve("postgres.log");
  }

  public String url() {
    return database().url();
  }

  public String jdbcUrl() {
    return database().jdbcUrl();
  }

  /** Stops the server and deletes its files. */
  @Override
  public void close() {
    stop();
    EmbeddedServers.deleteTree(root);
  }

  /**
   * A free port below Linux's ephemeral range (32768 and up): the server is stopped and started again
   * on the same port, and a port the kernel hands out to outgoing connections can be taken by one of
   * them (the provider reconnecting, writers, fires) while the server is down, so it could not bind.
   */
  private static int freePort() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int candidate = 20_000 + random.nextInt(12_000);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new java.net.InetSocketAddress(EmbeddedServers.HOST, candidate));
        return candidate;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port between 20000 and 32000");
  }
}
