package dev.whiskfeed.store;

import dev.whiskfeed.config.DbUrl;
import java.sql.SQLException;
import javax.net.ssl.SSLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Versioned schema migrations (Flyway, blocking JDBC: run once, off the event loop, before serving).
 * Every event store gets {@code db/events}; the control database also gets {@code db/control}. Each
 * set has its own history table, so a source database carries only what it needs. A step that needs
 * the master key is Java ({@link SealHookTokens}). Flyway holds a
 * Postgres advisory lock while it migrates, so instances starting together wait for each other.
 */
public final class Migrations {
  private static final int ATTEMPTS = 5;

  private Migrations() {}

  /** For a database that holds no feed yet (tests, benchmarks): a stored hook token would need the master key. */
  public static void migrateControl(DbUrl url) {
    migrateControl(url, null);
  }

  /** @param box the master key, which {@link SealHookTokens} seals the stored hook tokens with */
  public static void migrateControl(DbUrl url, SecretBox box) {
    migrateEventStore(url);
    run(url, "db/control", "schema_history_control", new SealHookTokens(box));
  }

  public static void migrateEventStore(DbUrl url) {
    run(url, "db/events", "schema_history_events");
  }

  private static void run(DbUrl url, String location, String historyTable, JavaMigration... java) {
    Flyway flyway = Flyway.configure()
        .javaMigrations(java)
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
        // (not behind a transaction pooler: a session-level SET would land on whichever server connection it lent)
        .initSql(url.transactionPooler() ? null : "SET client_min_messages = warning")
        .loggers("slf4j")
        .callbacks(new MigrationLog(location.substring(location.lastIndexOf('/') + 1)))
        .load();
    for (int attempt = 1; ; attempt++) {
      try {
        flyway.migrate();
        return;
      } catch (FlywayException e) {
        // two instances racing to create the schema or history table: the loser retries and finds it done;
        // a database that cannot be reached (Flyway has retried the connection already), refuses the login
        // or the TLS the URL asks for fails at once
        if (attempt >= ATTEMPTS || cannotConnect(e)) throw e;
      }
    }
  }

  private static boolean cannotConnect(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SSLException) return true;
      if (c instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28"))) {
        return true;
      }
    }
    return false;
  }
}
