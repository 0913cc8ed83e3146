package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.changes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A source reached through a real PgBouncer (Debian's, 1.18) in transaction mode, with fewer server
 * connections than the provider and the writers hold client connections, so consecutive
 * transactions of one client land on different server connections: a named prepared statement or a
 * session-level {@code SET} would not survive. Without {@code /usr/sbin/pgbouncer} the test is
 * skipped, except in CI ({@code CI=true}), where it fails.
 */
@ExtendWith(PgExtension.class)
class PgBouncerIT extends WithStandInOpenWhisk {
  static final Path PGBOUNCER = Path.of("/usr/sbin/pgbouncer");
  static final int WRITERS = 4;
  static final int ROWS_PER_WRITER = 60;

  TestDatabase control;
  TestDatabase orders;
  Path dir;
  Process bouncer;
  int bouncerPort;
  ChangesFixture f;
  LogCapture log;

  @BeforeEach
  void start(TestPostgres pg) throws Exception {
    boolean installed = Files.isExecutable(PGBOUNCER);
    String missing = "PgBouncer is missing: apt-get install pgbouncer (needs " + PGBOUNCER + ")";
    if (!installed && "true".equals(System.getenv("CI"))) Assertions.fail(missing);
    Assumptions.assumeTrue(installed, missing);
    openwhisk.reset();
    control = pg.newDatabase("bouncer_control");
    orders = pg.newDatabase("bouncer_orders");
    orders.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, status text, total numeric(10,2))");
    startBouncer();
  }

  @AfterEach
  void stop() throws Exception {
    if (f != null) f.close();
    if (log != null) log.close();
    if (bouncer != null) {
      bouncer.destroy();
      if (!bouncer.waitFor(10, TimeUnit.SECONDS)) bouncer.destroyForcibly().waitFor();
    }
    // its configuration holds the test user's password in clear: nothing of it stays behind
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void aSourceBehindPgBouncerInTransactionModeIsPolledAndLosesNoRow() throws Exception {
    log = new LogCapture();
    f = new ChangesFixture(openwhisk, control, Map.of(
        "WHISKFEED_SOURCES", "orders=" + pooledUrl(),
        "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*"));

    // neither a replication connection nor LISTEN passes a transaction pooler: said before anything is installed
    assertError(f.api.create("guest", "t", changes("public.orders").put("source", "orders")),
        "mode listen is not available on source 'orders': it is reached through a transaction pooler");
    assertError(f.api.create("guest", "t", changes("public.orders").put("source", "orders").put("capture", "wal")),
        "capture wal is not available on source 'orders': it is reached through a transaction pooler");
    assertError(f.api.create("guest", "t", changes("public.orders").put("source", "orders").put("mode", "listen")
        .put("capture", "trigger")), "mode listen is not available on source 'orders'");
    assertThat(orders.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'whiskfeed'")).isZero();

    JsonObject feed = f.create("t", changes("public.orders").put("source", "orders").put("mode", "poll")
        .put("pollIntervalSec", 1));
    assertThat(feed.getJsonObject("config").getString("capture")).isEqualTo("trigger");
    assertThat(feed.getJsonObject("config").getString("mode")).isEqualTo("poll");

    // several writers, each on its own client connection through the pooler, every row in its own transaction
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        long first = (long) w * ROWS_PER_WRITER + 1;
        done.add(pool.submit(() -> write(first, ROWS_PER_WRITER)));
      }
      for (Future<?> d : done) d.get(2, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = connectThroughBouncer()) {
      c.createStatement().execute("UPDATE public.orders SET status = 'paid' WHERE id % 10 = 0");
    }

    Set<Long> written = LongStream.rangeClosed(1, (long) WRITERS * ROWS_PER_WRITER).boxed().collect(Collectors.toSet());
    await().atMost(Duration.ofSeconds(90)).until(() -> inserted().containsAll(written) && paid() >= written.size() / 10);
    assertThat(inserted()).isEqualTo(written);
    assertThat(f.read("t").getJsonObject("status").getString("state")).isEqualTo("active");
    // the events were stored in the source through the pooler and acknowledged there
    await().atMost(ChangesFixture.WAIT).until(() -> orders.queryLong(
        "SELECT count(*) FROM whiskfeed.event_status WHERE state = 'pending'") == 0);

    String providerLog = log.text();
    assertThat(providerLog).doesNotContain("prepared statement").doesNotContain("unsupported startup parameter")
        .doesNotContain("store.listen.failed");
    String bouncerLog = Files.readString(dir.resolve("pgbouncer.log"));
    assertThat(bouncerLog).doesNotContain("prepared statement").doesNotContain("unsupported startup parameter")
        .doesNotContain("ERROR");
    // the pooler, not a direct connection, carried the provider's traffic
    assertThat(bouncerLog).contains(orders.name() + "/" + orders.user() + "@");

    f.delete("t");
    assertThat(orders.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();
  }

  private Set<Long> inserted() {
    return f.fires("t").stream().filter(e -> "INSERT".equals(ChangesFixture.op(e)))
        .map(ChangesFixture::rowId).collect(Collectors.toSet());
  }

  private long paid() {
    return f.fires("t").stream().filter(e -> "UPDATE".equals(ChangesFixture.op(e))).map(ChangesFixture::rowId)
        .distinct().count();
  }

  private void write(long first, int rows) {
    try (Connection c = connectThroughBouncer();
         PreparedStatement insert = c.prepareStatement("INSERT INTO public.orders VALUES (?, 'new', ?)")) {
      for (long id = first; id < first + rows; id++) {
        insert.setLong(1, id);
        insert.setBigDecimal(2, java.math.BigDecimal.valueOf(id, 2));
        insert.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertError(Api.Response r, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().getString("error")).contains(message).contains("use mode poll");
  }

  // ---- the pooler

  private String pooledUrl() {
    return "postgresql://" + orders.user() + ":" + orders.password() + "@127.0.0.1:" + bouncerPort + "/"
        + orders.name() + "?sslmode=disable&pooler=transaction";
  }

  private Connection connectThroughBouncer() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + bouncerPort + "/" + orders.name()
        + "?sslmode=disable&prepareThreshold=0", orders.user(), orders.password());
  }

  /**
   * PgBouncer in the foreground, as a child process, on a free port. As root it must be told whom to
   * run as ({@code -u nobody}), who then reads its files. Two server connections serve every client.
   * {@code ignore_startup_parameters = extra_float_digits} is what every JDBC client (here Flyway and
   * the writers) needs through PgBouncer.
   */
  private void startBouncer() throws IOException, InterruptedException {
    dir = Files.createTempDirectory("whiskfeed-pgbouncer");
    bouncerPort = freePort();
    Path auth = dir.resolve("userlist.txt");
    Files.writeString(auth, "\"" + orders.user() + "\" \"" + orders.password() + "\"\n");
    Path ini = dir.resolve("pgbouncer.ini");
    Files.writeString(ini, String.join("\n",
        "[databases]",
        orders.name() + " = host=" + orders.host() + " port=" + orders.port() + " dbname=" + orders.name(),
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        "listen_port = " + bouncerPort,
        "unix_socket_dir =",
        "auth_type = md5",
        "auth_file = " + auth,
        "pool_mode = transaction",
        "default_pool_size = 2",
        "max_client_conn = 200",
        "ignore_startup_parameters = extra_float_digits",
        "log_connections = 1",
        ""), StandardCharsets.UTF_8);
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
    }
    List<String> command = new ArrayList<>(List.of(PGBOUNCER.toString()));
    if (root) command.addAll(List.of("-u", "nobody"));
    command.add(ini.toString());
    bouncer = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("pgbouncer.log").toFile()).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      if (!bouncer.isAlive()) throw new IllegalStateException("pgbouncer exited: " + Files.readString(dir.resolve("pgbouncer.log")));
      try (Socket s = new Socket("127.0.0.1", bouncerPort)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
