package dev.whiskfeed.testing;

/**
 * A Postgres server for tests that run outside JUnit Jupiter (jqwik properties), where
 * {@link PgExtension} cannot resolve a {@link TestPostgres}: chosen the same way (an existing server
 * from {@code -Dwhiskfeed.test.dbUrl}, Testcontainers, else embedded), but owned by the caller, who
 * closes it.
 */
public final class StandalonePostgres implements AutoCloseable {
  private final SharedPostgres server;

  private StandalonePostgres(SharedPostgres server) {
    this.server = server;
  }

  public static StandalonePostgres start() {
    return new StandalonePostgres(SharedPostgres.start());
  }

  public TestPostgres postgres() {
    return server.postgres();
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
