package dev.whiskfeed.it;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tests of the store's own statements against a real Postgres, without a provider: a fresh event
 * store per test ({@code db}), a pool on it, and events of feed 7 to work on.
 */
@ExtendWith(PgExtension.class)
abstract class WithEventStore {
  static final long FEED_ID = 7;
  TestDatabase db;
  Vertx vertx;
  Pool pool;

  @BeforeEach
  void store(TestPostgres pg) {
    db = pg.newDatabase("eventstore");
    DbUrl url = DbUrl.parse(db.url());
    Migrations.migrateEventStore(url);
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, url, 4);
  }

  @AfterEach
  void close() throws Exception {
    pool.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** {@code n} MANUAL events of feed 7, pending and due now. */
  void insert(int n) {
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT ?, 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, ?) g", FEED_ID, n);
  }

  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
