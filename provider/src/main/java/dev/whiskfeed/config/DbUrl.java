package dev.whiskfeed.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A Postgres location given as {@code postgresql://user:pass@host:port/db?sslmode=…&sslrootcert=…}.
 * The query holds the TLS requirement ({@link DbTls}, libpq's meaning), which every connection to the
 * database honours, and {@code pooler=transaction} when the database is reached through a pooler in
 * transaction mode ({@link #transactionPooler()}). {@link #toString()} masks the password so a DbUrl can be logged.
 */
public record DbUrl(String host, int port, String database, String user, String password, String query) {

  public DbUrl {
    if (host == null || host.isBlank()) throw new IllegalArgumentException("host is missing");
    if (database == null || database.isBlank()) throw new IllegalArgumentException("database name is missing");
    if (user == null || user.isBlank()) throw new IllegalArgumentException("user is missing");
    password = password == null ? "" : password;
    query = query == null ? "" : query;
    DbTls.parse(query);
  }

  /** Parses {@code postgresql://} or {@code postgres://} URLs; throws IllegalArgumentException naming the problem. */
  public static DbUrl parse(String text) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("empty database URL");
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getReason());
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("expected postgresql://user:pass@host:port/db");
    }
    String userInfo = uri.getRawUserInfo();
    String user = null;
    String password = null;
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    return new DbUrl(uri.getHost(), port, database, user, password, uri.getRawQuery());
  }

  /** The TLS every connection to this database uses. */
  public DbTls tls() {
    return DbTls.parse(query);
  }

  /**
   * True when the URL says {@code pooler=transaction}: the database is reached through a pooler in
   * transaction mode (PgBouncer's {@code pool_mode = transaction}), where consecutive transactions of
   * one client connection may run on different server connections. Its clients then keep no state
   * between transactions: no named prepared statements, no session-level {@code SET}, no
   * {@code LISTEN}, no replication.
   */
  public boolean transactionPooler() {
    return DbTls.TRANSACTION_POOLER.equals(DbTls.params(query).get(DbTls.POOLER));
  }

  /**
   * The pgjdbc URL (without credentials), carrying the same TLS requirement in pgjdbc's terms;
   * behind a transaction pooler, with server-side prepared statements off ({@code prepareThreshold=0}).
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + encode(database) + "?" + tls().jdbcQuery()
        + (transactionPooler() ? "&prepareThreshold=0" : "");
  }

  /** The full URL with credentials: for connecting, never for logging. */
  public String toUri() {
    return "postgresql://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + encode(database)
        + (query.isEmpty() ? "" : "?" + query);
  }

  /** Where it points, without credentials. */
  public String masked() {
    return "postgresql://" + user + ":***@" + host + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return masked();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
