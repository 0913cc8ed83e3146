package dev.whiskfeed.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A server location from {@code -Dwhiskfeed.test.dbUrl}: {@code postgresql://user:pass@host:port/db} or
 * {@code jdbc:postgresql://host:port/db?user=…&password=…}.
 */
record PgUrl(String host, int port, String database, String user, String password) {

  static PgUrl parse(String text) {
    URI uri = URI.create(text.startsWith("jdbc:") ? text.substring("jdbc:".length()) : text);
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException(SharedPostgres.DB_URL_PROPERTY
          + ": expected postgresql://user:pass@host:port/db or jdbc:postgresql://host:port/db?user=&password=");
    }
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        String value = kv.length > 1 ? decode(kv[1]) : "";
        if (kv[0].equals("user")) {
          user = value;
        } else if (kv[0].equals("password")) {
          password = value;
        }
      }
    }
    String path = uri.getRawPath() == null ? "" : decode(uri.getRawPath()).replaceFirst("^/", "");
    return new PgUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
        path.isEmpty() ? "postgres" : path, user, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
