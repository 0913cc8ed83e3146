package dev.whiskfeed.testing;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Postgres server for tests, reached with a user who may create databases. Each test (or test class) takes a
 * {@link #newDatabase() new database}: isolation comes from fresh databases, never from truncating shared tables.
 */
public final class TestPostgres {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String host;
  private final int port;
  private final String superUser;
  private final String superPassword;
  private final String adminDatabase;
  private final AtomicInteger counter = new AtomicInteger();
  private final Set<String> created = ConcurrentHashMap.newKeySet();

  /** A server reached as {@code superUser}, who connects to {@code adminDatabase} to create others. */
  TestPostgres(String host, int port, String superUser, String superPassword, String adminDatabase) {
    this.host = host;
    this.port = port;
    this.superUser = superUser;
    this.superPassword = superPassword;
    this.adminDatabase = adminDatabase;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String superUser() {
    return superUser;
  }

  public String superPassword() {
    return superPassword;
  }

  /** A fresh, empty database named {@code test_<n>_<random>}, owned by {@link #superUser()}. */
  public TestDatabase newDatabase() {
    return newDatabase("test");
  }

  /** A fresh, empty database whose name starts with {@code prefix} (lower-cased, reduced to [a-z0-9_]). */
  public TestDatabase newDatabase(String prefix) {
    String name = uniqueName(prefix);
    try (Connection admin = connectAdmin(); Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + SqlText.identifier(name));
    } catch (SQLException e) {
      throw new TestDatabase.SqlFailure("CREATE DATABASE " + name + " failed", e);
    }
    created.add(name);
    return new TestDatabase(host, port, name, superUser, superPassword);
  }

  /** For a server this JVM did not start: removes what {@link #newDatabase} left there. */
  void dropCreatedDatabases() throws SQLException {
    try (Connection admin = connectAdmin(); Statement statement = admin.createStatement()) {
      for (String name : created) {
        statement.execute("DROP DATABASE IF EXISTS " + SqlText.identifier(name) + " WITH (FORCE)");
      }
    }
    created.clear();
  }

  private Connection connectAdmin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + adminDatabase, superUser,
        superPassword);
  }

  private String uniqueName(String prefix) {
    String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (clean.isEmpty() || !Character.isLetter(clean.charAt(0))) {
      clean = "t" + clean;
    }
    byte[] random = new byte[4];
    RANDOM.nextBytes(random);
    String suffix = "_" + counter.incrementAndGet() + "_" + HexFormat.of().formatHex(random);
    return clean.substring(0, Math.min(clean.length(), 63 - suffix.length())) + suffix;
  }

  @Override
  public String toString() {
    return "TestPostgres[" + superUser + "@" + host + ":" + port + "]";
  }
}
