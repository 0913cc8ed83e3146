package dev.whiskfeed.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** The JVM's one Postgres server, as chosen by {@link PgExtension}; closing it stops what this JVM started. */
record SharedPostgres(TestPostgres postgres, AutoCloseable stopper) implements AutoCloseable {

  static final String DB_URL_PROPERTY = "whiskfeed.test.dbUrl";
  private static final Logger LOG = LoggerFactory.getLogger(SharedPostgres.class);

  static SharedPostgres start() {
    String url = System.getProperty(DB_URL_PROPERTY, "").trim();
    if (!url.isEmpty()) {
      return existing(PgUrl.parse(url));
    }
    return DockerProbe.dockerAvailable() ? container() : embedded();
  }

  @Override
  public void close() throws Exception {
    stopper.close();
  }

  private static SharedPostgres existing(PgUrl url) {
    TestPostgres postgres = new TestPostgres(url.host(), url.port(), url.user(), url.password(), url.database());
    LOG.info("test Postgres: existing server {}:{} as {} (from -D{})", url.host(), url.port(), url.user(),
        DB_URL_PROPERTY);
    // not ours to stop: only remove the databases this run created
    return new SharedPostgres(postgres, postgres::dropCreatedDatabases);
  }

  @SuppressWarnings("resource") // stopped by close()
  private static SharedPostgres container() {
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>(DockerImageName.parse("postgres:17-alpine"))
        .withUsername(EmbeddedServers.SUPER_USER)
        .withPassword(EmbeddedServers.SUPER_PASSWORD)
        .withDatabaseName("postgres")
        .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=300", "-c", "wal_level=logical",
            "-c", "max_replication_slots=200", "-c", "max_wal_senders=40", "-c", "max_slot_wal_keep_size=2GB");
    container.start();
    TestPostgres postgres = new TestPostgres(container.getHost(), container.getMappedPort(5432),
        EmbeddedServers.SUPER_USER, EmbeddedServers.SUPER_PASSWORD, "postgres");
    LOG.info("test Postgres: Testcontainers postgres:17-alpine at {}:{}", postgres.host(), postgres.port());
    return new SharedPostgres(postgres, container::stop);
  }

  private static SharedPostgres embedded() {
    try {
      Path root = Files.createTempDirectory("whiskfeed-test-pg");
      Path log = root.resolve("postgres.log");
      EmbeddedPostgres pg = EmbeddedServers.builder(root.resolve("data"), 0, log).setCleanDataDirectory(true).start();
      TestPostgres postgres = new TestPostgres(EmbeddedServers.HOST, pg.getPort(), EmbeddedServers.SUPER_USER,
          EmbeddedServers.SUPER_PASSWORD, "postgres");
      LOG.info("test Postgres: embedded (no Docker) at {}:{}, server log {}", postgres.host(), postgres.port(), log);
      return new SharedPostgres(postgres, () -> {
        pg.close();
        EmbeddedServers.deleteTree(root);
      });
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded test Postgres", e);
    }
  }
}
