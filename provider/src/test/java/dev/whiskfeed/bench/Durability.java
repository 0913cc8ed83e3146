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
}
