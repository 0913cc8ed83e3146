package dev.whiskfeed.store;

import dev.whiskfeed.config.DbUrl;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Versioned schema migrations (Flyway, blocking JDBC: run once, off the event loop, before serving).
 * Every event store gets {@code db/events}; the control database also gets {@code db/control}. Each
 * set has its own history table, so a source database carries only what it needs. Flyway holds a
 * Postgres advisory lock while it migrates, so instances starting together wait for each other.
 */
public final class Migrations {
  private static final int ATTEMPTS = 5;

  private Migrations() {}

  public static void migrateControl(DbUrl url) {
    migrateEventStore(url);
    run(url, "db/control", "schema_history_control");
  }

  public static void migrateEventStore(DbUrl url) {
    run(url, "db/events", "schema_history_events");
  }

  private static void run(DbUrl url, String location, String historyTable) {
    Flyway flyway = Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .schemas("whiskfeed")
        .createSchemas(true)
        .table(historyTable)
        .locations("classpath:" + location)
        // the two sets share the schema: whichever runs second finds it non-empty
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .connectRetries(3)
        // V1 of each set says CREATE SCHEMA IF NOT EXISTS (Flyway has made the schema by then): Postgres answers
        // with a NOTICE, which Flyway logs as a WARN a newcomer takes for an error. Notices are chatter here;
        // warnings and errors still come through. (Applied migrations cannot be edited: Flyway checksums them.)
        .initSql("SET client_min_messages = warning")
        .loggers("slf4j")
        .load();
    for (int attempt = 1; ; attempt++) {
      try {
        flyway.migrate();
        return;
      } catch (FlywayException e) {
        // two instances racing to create the schema or history table: the loser retries and finds it done
        if (attempt >= ATTEMPTS) throw e;
      }
    }
  }
}
