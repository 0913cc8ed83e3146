package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An ordered feed's claim reads the feed's pending events only, however long its delivered history:
 * the default retention keeps a week of it, and a claim that walked it would slow the feed down as
 * the history grew.
 */
@ExtendWith(PgExtension.class)
class OrderedClaimIT {

  @Test
  void anOrderedClaimReadsOnlyThePendingRowsItTakesBehindALongHistory(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("orderedclaim");
    DbUrl url = DbUrl.parse(db.url());
    Migrations.migrateEventStore(url);
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, state, attempts, delivered_at) "
        + "SELECT 5, 'MANUAL', jsonb_build_object('n', g), 'delivered', 1, now() FROM generate_series(1, 100000) g");
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) "
        + "SELECT 5, 'MANUAL', jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(100001, 100003) g");
    // another feed's backlog: finding this feed's pending rows through the claim index costs too
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) "
        + "SELECT 6, 'MANUAL', jsonb_build_object('n', g) FROM generate_series(1, 20000) g");
    db.execute("VACUUM ANALYZE whiskfeed.events");
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.pool(vertx, url, 1);
    try {
      // the plan the provider runs: its statements are prepared once and reused, so after five
      // executions Postgres plans them without looking at the parameters
      Row read = pool.withTransaction(c -> c.query("SET LOCAL plan_cache_mode = force_generic_plan").execute()
          .compose(v -> new ClaimRepository().claimOrdered(c, "h1", 30_000, new long[] {5}, new int[] {2}))
          .compose(claimed -> {
            assertThat(claimed).extracting(e -> new io.vertx.core.json.JsonObject(e.data()).getInteger("n")).containsExactly(100001, 100002);
            return c.query("SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) AS n "
                + "FROM pg_stat_xact_user_tables WHERE schemaname = 'whiskfeed' AND relname = 'events'").execute();
          }).map(rows -> rows.iterator().next())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      // the heads it looked at and the rows it leased, not the 100,000 delivered rows in front of them
      assertThat(read.getLong("n")).isLessThan(50);
    } finally {
      pool.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
