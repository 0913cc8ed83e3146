package dev.whiskfeed.app;

import dev.whiskfeed.config.DbUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Postgres the provider starts for itself when no database is configured: real Postgres
 * binaries from the zonky Maven artefacts, data kept under the data directory so a second start
 * finds its feeds again.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedDatabase start(Path dataDir) throws IOException {
    Path pgData = dataDir.resolve("postgres");
    Files.createDirectories(pgData);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "127.0.0.1")
        // WAL capture out of the box: changes feeds read the log instead of taxing the writers
        .setServerConfig("wal_level", "logical")
        .start();
    return new EmbeddedDatabase(pg);
  }

  DbUrl url() {
    return new DbUrl("127.0.0.1", postgres.getPort(), "postgres", "postgres", "", "sslmode=disable");
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
