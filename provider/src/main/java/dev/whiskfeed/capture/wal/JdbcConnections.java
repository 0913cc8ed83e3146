package dev.whiskfeed.capture.wal;

import dev.whiskfeed.config.DbUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;

/** The blocking JDBC connections of a slot reader: the replication stream, and plain ones for the catalog and storing. */
final class JdbcConnections {
  /** The settings {@code to_jsonb} prints values under in trigger capture; pgoutput prints them in the walsender. */
  static final String SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601 "
      + "-c bytea_output=hex -c extra_float_digits=1";

  private JdbcConnections() {}

  static Connection plain(DbUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), properties(url, "whiskfeed"));
  }

  /** A logical replication connection; its walsender's application_name names the instance holding the slot. */
  static Connection replication(DbUrl url, String instanceId) throws SQLException {
    Properties p = properties(url, "whiskfeed-wal:" + instanceId);
    PGProperty.REPLICATION.set(p, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "14");
    PGProperty.PREFER_QUERY_MODE.set(p, "simple");
    PGProperty.OPTIONS.set(p, SESSION_OPTIONS);
    return DriverManager.getConnection(url.jdbcUrl(), p);
  }

  private static Properties properties(DbUrl url, String applicationName) {
    Properties p = new Properties();
    PGProperty.USER.set(p, url.user());
    PGProperty.PASSWORD.set(p, url.password());
    PGProperty.APPLICATION_NAME.set(p, applicationName);
    PGProperty.CONNECT_TIMEOUT.set(p, 10);
    PGProperty.TCP_KEEP_ALIVE.set(p, true);
    return p;
  }
}
