package dev.whiskfeed.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.util.PGobject;

/**
 * One database on a test server, with the credentials to reach it, and blocking JDBC conveniences for arranging
 * and asserting (test code only). Statement failures surface as {@link SqlFailure}, keeping the SQLSTATE.
 */
public record TestDatabase(String host, int port, String name, String user, String password) {

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + name;
  }

  /** {@code postgresql://user:pass@host:port/name}: the form WHISKFEED_DB_URL and feed parameters take. */
  public String url() {
    return "postgresql://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + name;
  }

  /** The same database reached with other credentials. */
  public TestDatabase as(String otherUser, String otherPassword) {
    return new TestDatabase(host, port, name, otherUser, otherPassword);
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user, password);
  }

  /** Runs one statement (or several separated by {@code ;} when there are no parameters). */
  public void execute(String sql, Object... params) {
    run(sql, params, statement -> {
      statement.execute();
      return null;
    });
  }

  /** The first column of the first row, e.g. {@code select count(*) …}. */
  public long queryLong(String sql, Object... params) {
    List<Map<String, Object>> rows = query(sql, params);
    if (rows.isEmpty() || rows.get(0).values().iterator().next() == null) {
      throw new IllegalStateException("no value from: " + sql);
    }
    return ((Number) rows.get(0).values().iterator().next()).longValue();
  }

  /** Rows as column label → value; json/jsonb and other Postgres-specific types come back as their text. */
  public List<Map<String, Object>> query(String sql, Object... params) {
    return run(sql, params, statement -> {
      try (ResultSet rs = statement.executeQuery()) {
        return rows(rs);
      }
    });
  }

  /** Creates a LOGIN role with this password; does nothing if a role of that name exists already. */
  public void createRole(String role, String rolePassword) {
    if (queryLong("select count(*) from pg_roles where rolname = ?", role) > 0) {
      return;
    }
    try {
      execute("CREATE ROLE " + SqlText.identifier(role) + " LOGIN PASSWORD " + SqlText.literal(rolePassword));
    } catch (SqlFailure e) {
      if (!"42710".equals(e.sqlState())) { // duplicate_object: created meanwhile by another test
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return "TestDatabase[" + user + "@" + host + ":" + port + "/" + name + "]";
  }

  private interface StatementWork<T> {
    T apply(PreparedStatement statement) throws SQLException;
  }

  private <T> T run(String sql, Object[] params, StatementWork<T> work) {
    try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, jdbcValue(params[i]));
      }
      return work.apply(statement);
    } catch (SQLException e) {
      throw new SqlFailure(sql, e);
    }
  }

  private static Object jdbcValue(Object value) {
    return value instanceof Instant ? ((Instant) value).atOffset(ZoneOffset.UTC) : value;
  }

  private static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    List<Map<String, Object>> rows = new ArrayList<>();
    while (rs.next()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int column = 1; column <= meta.getColumnCount(); column++) {
        Object value = rs.getObject(column);
        row.put(meta.getColumnLabel(column), value instanceof PGobject ? ((PGobject) value).getValue() : value);
      }
      rows.add(row);
    }
    return rows;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A failed statement; {@link #sqlState()} tells which failure (e.g. {@code 42P01} undefined table). */
  public static final class SqlFailure extends RuntimeException {

    SqlFailure(String sql, SQLException cause) {
      super(cause.getMessage() + " [SQLSTATE " + cause.getSQLState() + "] in: " + sql, cause);
    }

    public String sqlState() {
      return ((SQLException) getCause()).getSQLState();
    }
  }
}
