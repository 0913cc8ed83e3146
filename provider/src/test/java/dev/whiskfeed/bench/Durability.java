package dev.whiskfeed.bench;

import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;

/**
 * Test servers trade durability for speed (the embedded one starts with fsync and synchronous
 * commit off). Benchmarks measure what users run: every commit flushed to disk.
 */
final class Durability {
  private Durability() {}

  static void production(TestPostgres pg) {
    TestDatabase db = pg.newDatabase("settings");
    for (String setting : new String[] {"fsync = on", "synchronous_commit = on", "full_page_writes = on"}) {
      db.execute("ALTER SYSTEM SET " + setting);
    }
    db.execute("SELECT pg_reload_conf()");
    System.out.println("BENCH server: " + db.query("SELECT version() AS v").get(0).get("v") + "; "
        + db.query("SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) AS s FROM pg_settings "
        + "WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')").get(0).get("s"));
  }
}
