package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.InstanceRegistry;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The heartbeats a fixed fire pace is divided by: who counts as a live instance. */
@ExtendWith(PgExtension.class)
class InstanceRegistryIT {
  private static final long WINDOW_MS = 15_000;
  private final InstanceRegistry instances = new InstanceRegistry();

  @Test
  void instancesCountThoseThatBeatLatelyAndNotThoseGoneOrSilent(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("instances");
    DbUrl url = DbUrl.parse(db.url());
    Migrations.migrateControl(url);
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.pool(vertx, url, 2);
    try {
      assertThat(await(instances.beat(pool, "a", WINDOW_MS))).as("alone").isEqualTo(1);
      assertThat(await(instances.beat(pool, "b", WINDOW_MS))).isEqualTo(2);
      assertThat(await(instances.beat(pool, "a", WINDOW_MS))).as("a beat again: still two").isEqualTo(2);
      db.execute("UPDATE whiskfeed.instances SET seen_at = now() - interval '16 seconds' WHERE holder = 'b'");
      assertThat(await(instances.beat(pool, "a", WINDOW_MS))).as("b silent for longer than the window").isEqualTo(1);
      assertThat(await(instances.beat(pool, "b", WINDOW_MS))).as("b is back").isEqualTo(2);
      await(instances.leave(pool, "b"));
      assertThat(await(instances.beat(pool, "a", WINDOW_MS))).as("b stopped").isEqualTo(1);
      db.execute("INSERT INTO whiskfeed.instances VALUES ('old', now() - interval '2 days')");
      await(instances.beat(pool, "a", WINDOW_MS));
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.instances WHERE holder = 'old'")).isZero();
    } finally {
      pool.close();
      vertx.close();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
