package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.changes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TlsPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Database URLs' {@code sslmode} and {@code sslrootcert} against a Postgres with TLS on and a CA the
 * test made: every connection the provider makes (pools, LISTEN, Flyway's, WAL capture's catalog
 * and replication connections, on the control database and on a source) is encrypted as the URL
 * asks, and a requirement that cannot be met stops the start with nothing sent in plain text. The
 * server's connection log tells which connections were encrypted, including the ones already
 * closed (Flyway's).
 */
class TlsIT extends WithStandInOpenWhisk {
  static TlsPostgres server;
  ChangesFixture f;

  @BeforeAll
  static void startServer() {
    server = new TlsPostgres();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (f != null) f.close();
    f = null;
  }

  String verifyFull(TestDatabase db) {
    return db.url() + "?sslmode=verify-full&sslrootcert="
        + URLEncoder.encode(server.caFile().toString(), StandardCharsets.UTF_8);
  }

  @Test
  void verifyFullWithoutTheCaRefusesToStartAndSendsNothingInPlainText() {
    TestDatabase db = server.postgres().newDatabase("nocacert");
    // the JVM's trust store does not hold the test's CA
    assertThatThrownBy(() -> new ChangesFixture(openwhisk, db,
        Map.of("WHISKFEED_DB_URL", db.url() + "?sslmode=verify-full")))
        .hasStackTraceContaining("PKIX path building failed");
    assertThat(server.authorizations(db.name())).isEmpty();
    assertThat(db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        + "AND pid <> pg_backend_pid()")).isZero();
  }

  @Test
  void verifyFullWithTheCaEncryptsEveryConnectionIncludingWalCapture() {
    TestDatabase control = server.postgres().newDatabase("control");
    TestDatabase orders = server.postgres().newDatabase("orders");
    orders.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    f = new ChangesFixture(openwhisk, control, Map.of("WHISKFEED_DB_URL", verifyFull(control),
        "WHISKFEED_SOURCES", "orders=" + verifyFull(orders), "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*"));
    f.create("t", changes("public.orders").put("source", "orders").put("capture", "wal"));
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    f.awaitRow("t", 1);

    assertEveryConnectionEncrypted(control);
    assertEveryConnectionEncrypted(orders);
    assertThat(providerBackends(orders)).anySatisfy(b -> {
      assertThat((String) b.get("application_name")).startsWith("whiskfeed-wal:");
      assertThat(b.get("backend_type")).isEqualTo("walsender");
    });
  }

  @Test
  void requireEncryptsEveryConnectionWithoutARootCertificate() {
    TestDatabase control = server.postgres().newDatabase("control");
    TestDatabase orders = server.postgres().newDatabase("orders");
    orders.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    f = new ChangesFixture(openwhisk, control, Map.of("WHISKFEED_DB_URL", control.url() + "?sslmode=require",
        "WHISKFEED_SOURCES", "orders=" + orders.url() + "?sslmode=require",
        "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*"));
    f.create("t", changes("public.orders").put("source", "orders").put("capture", "trigger"));
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    f.awaitRow("t", 1);

    assertEveryConnectionEncrypted(control);
    assertEveryConnectionEncrypted(orders);
  }

  /** Without sslmode (prefer): whiskfeed asks the server whether it has TLS before the client connects (PreferredTls). */
  @Test
  void preferTheDefaultEncryptsEveryConnectionToAServerWithTls() {
    TestDatabase control = server.postgres().newDatabase("control");
    TestDatabase orders = server.postgres().newDatabase("orders");
    orders.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    f = new ChangesFixture(openwhisk, control, Map.of("WHISKFEED_DB_URL", control.url(),
        "WHISKFEED_SOURCES", "orders=" + orders.url(), "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*"));
    f.create("t", changes("public.orders").put("source", "orders").put("capture", "trigger"));
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    f.awaitRow("t", 1);

    assertEveryConnectionEncrypted(control);
    assertEveryConnectionEncrypted(orders);
  }

  @Test
  void disableAgainstAServerThatRequiresTlsFailsClearlyAtStart() {
    TestDatabase strict = server.postgres().newDatabase("strict");
    assertThatThrownBy(() -> new ChangesFixture(openwhisk, strict,
        Map.of("WHISKFEED_DB_URL", strict.url() + "?sslmode=disable")))
        .hasStackTraceContaining("no encryption");
    assertThat(server.authorizations(strict.name())).isEmpty();
  }

  /** The provider's connections open now, and every connection the server ever authorized to the database. */
  private void assertEveryConnectionEncrypted(TestDatabase db) {
    List<Map<String, Object>> backends = providerBackends(db);
    assertThat(backends).as("the provider's connections to " + db.name()).isNotEmpty()
        .allSatisfy(b -> assertThat(b.get("ssl")).as(b.toString()).isEqualTo(true));
    List<String> authorized = server.authorizations(db.name());
    assertThat(authorized).as("connections authorized to " + db.name()).isNotEmpty()
        .allSatisfy(line -> assertThat(line).contains("SSL enabled"));
  }

  private static List<Map<String, Object>> providerBackends(TestDatabase db) {
    return db.query("SELECT a.application_name, a.backend_type, s.ssl FROM pg_stat_activity a "
        + "JOIN pg_stat_ssl s ON s.pid = a.pid WHERE a.datname = current_database() "
        + "AND a.application_name LIKE 'whiskfeed%'");
  }
}
