package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which writes wait for the disk. An event is committed durably (synchronous commit, whatever the
 * server's default); the delivery bookkeeping of leases and outcomes commits asynchronously, so
 * claiming and acknowledging do not wait for a WAL flush: losing the last of them in a database
 * crash means firing those events again, never losing one.
 */
@ExtendWith(PgExtension.class)
class BookkeepingCommitIT {
  private final ClaimRepository claims = new ClaimRepository();

  @Test
  void eventsWaitForTheDiskAndLeasesAndOutcomesDoNot(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("bookkeeping");
    DbUrl url = DbUrl.parse(db.url());
    Migrations.migrateEventStore(url);
    db.execute("ALTER DATABASE \"" + db.name() + "\" SET synchronous_commit = on");
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.pool(vertx, url, 2);
    try {
      Result<UUID> inserted = inTransaction(pool, c -> new EventRepository().insert(c, 7, "MANUAL",
          new JsonObject().put("n", 1)));
      assertThat(inserted.syncCommit()).isEqualTo("on");
      UUID id = inserted.value();

      Result<List<ClaimedEvent>> claimed = inTransaction(pool, c -> claims.claim(c, "h1", 30_000, new long[] {7}, 10));
      assertThat(claimed.value()).extracting(ClaimedEvent::id).containsExactly(id);
      assertThat(claimed.syncCommit()).isEqualTo("off");

      long claim = claimed.value().get(0).claim();
      Result<Set<Long>> renewed = inTransaction(pool, c -> claims.renew(c, "h1", 30_000, new long[] {claim}));
      assertThat(renewed.value()).containsExactly(claim);
      assertThat(renewed.syncCommit()).isEqualTo("off");

      Result<Integer> acked = inTransaction(pool, c -> claims.ack(c, "h1", List.of(Ack.delivered(id, 202, "a1")),
          claimed.value(), new long[] {claim}));
      assertThat(acked.value()).isEqualTo(1);
      assertThat(acked.syncCommit()).isEqualTo("off");
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'")).isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.pending")).isZero();
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.claims")).as("the settled claim went with it").isZero();
    } finally {
      pool.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  record Result<T>(T value, String syncCommit) {}

  /** Runs {@code work} in a transaction and reports the synchronous_commit its commit will use. */
  private static <T> Result<T> inTransaction(Pool pool, Function<SqlConnection, Future<T>> work) throws Exception {
    return pool.withTransaction(c -> work.apply(c).compose(r -> c.query("SHOW synchronous_commit").execute()
            .map(rows -> new Result<>(r, rows.iterator().next().getString(0)))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
