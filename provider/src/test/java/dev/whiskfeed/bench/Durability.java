package dev.whiskfeed.bench;

import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;

/**
 * Prints the server the benchmark runs on. The bench profile starts the embedded server with
 * fsync, synchronous commit and full-page writes on (system property whiskfeed.test.durable): the
 * figures are for what users run, every commit flushed to disk.
 */
final class Durability {
  private Durability() {}

  static void production(TestPostgres pg) {
    TestDatabase db = pg.newDatabase("settings");
    System.out.println("BENCH server: " + db.query("SELECT version() AS v").get(0).get("v") + "; "
        + db.query("SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) AS s FROM pg_settings "
        + "WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')").get(0).get("s"));
  }

  /**
   * A Postgres server of the benchmark's own, as the bench profile's (fsync, synchronous commit and
   * full-page writes on) and with logical decoding: the source or control database on a server apart.
   */
  static io.zonky.test.db.postgres.embedded.EmbeddedPostgres logicalServer() throws java.io.IOException {
    return io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on")
        .setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "10")
        .setServerConfig("max_wal_senders", "10").start();
  }
}
