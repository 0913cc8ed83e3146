package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.ops.RetentionJob;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.JobLease;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.store.Retention;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention deletes delivered events and delivery-log rows past WHISKFEED_RETENTION_HOURS and dead events past
 * WHISKFEED_DEAD_RETENTION_HOURS on every store, and nothing else; one instance at a time runs it.
 */
@ExtendWith(PgExtension.class)
@Timeout(120)
class RetentionIT {

  /** Rows of every kind on both sides of both limits (7 days for delivered, 30 for dead). */
  private static void arrange(TestDatabase store, String tag) {
    insert(store, tag + "-delivered-old", "delivered", "8 days", 12);
    insert(store, tag + "-delivered-recent", "delivered", "6 days", 3);
    insert(store, tag + "-dead-old", "dead", "31 days", 4);
    insert(store, tag + "-dead-recent", "dead", "8 days", 2);
    // delivered since events migration V7: no pending row, and a fire that carried them
    deliveredByFire(store, tag + "-fired-old", "8 days", 6);
    deliveredByFire(store, tag + "-fired-recent", "6 days", 2);
    // pending events are never retention's business, however old
    store.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, created_at, next_attempt_at) "
        + "SELECT 1, 'MANUAL', jsonb_build_object('tag', ?::text), now() - interval '40 days', now() + interval '1 day' "
        + "FROM generate_series(1, 2)", tag + "-pending-old");
  }

  private static void insert(TestDatabase store, String tag, String state, String age, int n) {
    store.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, created_at, state, attempts, delivered_at) "
        + "SELECT 1, 'MANUAL', jsonb_build_object('tag', ?::text), now() - ?::interval - interval '1 hour', ?, 1, "
        + "now() - ?::interval FROM generate_series(1, ?)", tag, age, state, age, n);
  }

  private static void deliveredByFire(TestDatabase store, String tag, String age, int n) {
    store.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, created_at, next_attempt_at) "
        + "SELECT 1, 'MANUAL', jsonb_build_object('tag', ?::text), now() - ?::interval - interval '1 hour', "
        + "now() - ?::interval - interval '1 hour' FROM generate_series(1, ?)", tag, age, age, n);
    store.execute("WITH e AS (SELECT seq FROM whiskfeed.events WHERE payload->>'tag' = ?), "
        + "d AS (DELETE FROM whiskfeed.pending p USING e WHERE p.feed_id = 1 AND p.seq = e.seq) "
        + "INSERT INTO whiskfeed.fired (feed_id, first_seq, seqs, at, status_code, activation_id) "
        + "SELECT 1, min(seq), array_agg(seq), now() - ?::interval, 202, 'a' FROM e", tag, age);
  }

  private static Map<String, Object> tags(TestDatabase store) {
    Map<String, Object> out = new java.util.TreeMap<>();
    store.query("SELECT payload->>'tag' AS tag, count(*) AS n FROM whiskfeed.events GROUP BY 1")
        .forEach(r -> out.put((String) r.get("tag"), ((Number) r.get("n")).longValue()));
    return out;
  }

  @Test
  void aProviderDeletesOnlyWhatOutlivedItsRetentionOnEveryStore(TestPostgres pg) throws Exception {
    TestDatabase control = pg.newDatabase("retention");
    TestDatabase source = pg.newDatabase("retention_src");
    Migrations.migrateControl(DbUrl.parse(control.url()));
    Migrations.migrateEventStore(DbUrl.parse(source.url()));
    arrange(control, "c");
    arrange(source, "s");
    control.execute("INSERT INTO whiskfeed.delivery_log (feed_id, event_ids, attempted_at, status_code, latency_ms) "
        + "SELECT 1, '{}', now() - interval '8 days', 202, 5 FROM generate_series(1, 7)");
    control.execute("INSERT INTO whiskfeed.delivery_log (feed_id, event_ids, attempted_at, status_code, latency_ms) "
        + "SELECT 1, '{}', now() - interval '1 day', 202, 5 FROM generate_series(1, 2)");

    try (Provider provider = TestProvider.start(control, "http://127.0.0.1:9", Map.of("WHISKFEED_SOURCES",
        "src=" + source.url()))) {
      await().atMost(Duration.ofSeconds(40)).until(() -> control.queryLong(
          "SELECT count(*) FROM whiskfeed.jobs WHERE name = 'retention' AND last_run_at IS NOT NULL") == 1);
      for (TestDatabase store : List.of(control, source)) {
        String t = store == control ? "c" : "s";
        assertThat(tags(store)).isEqualTo(Map.of(t + "-delivered-recent", 3L, t + "-dead-recent", 2L,
            t + "-pending-old", 2L, t + "-fired-recent", 2L));
        // the old fire went with its events; the recent one still says when its events were delivered
        assertThat(store.queryLong("SELECT count(*) FROM whiskfeed.fired")).isEqualTo(1);
        assertThat(store.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered' "
            + "AND delivered_at < now() - interval '5 days' AND activation_id = 'a' AND attempts = 1")).isEqualTo(2);
      }
      assertThat(control.queryLong("SELECT count(*) FROM whiskfeed.delivery_log")).isEqualTo(2);
      assertThat(control.queryLong("SELECT count(*) FROM whiskfeed.delivery_log WHERE attempted_at > now() - "
          + "interval '2 days'")).isEqualTo(2);
      String metrics = Ops.get(provider.port(), "/metrics", null).body();
      assertThat(Ops.metric(metrics, "whiskfeed_retention_deleted_total", "store", "source:src"))
          .as("12 delivered, 6 delivered by the old fire, the fire, 4 dead").isEqualTo(23);
      assertThat(Ops.metric(metrics, "whiskfeed_retention_deleted_total", "store", "control", "what", "delivery_log"))
          .isEqualTo(7);
    }
  }

  @Test
  void smallBatchesDeleteEverythingDueAndLeaveTheJobDueAgainLater(TestPostgres pg) throws Exception {
    TestDatabase control = pg.newDatabase("retention_batches");
    DbUrl url = DbUrl.parse(control.url());
    Migrations.migrateControl(url);
    insert(control, "old", "delivered", "10 days", 23);
    insert(control, "dead", "dead", "40 days", 7);
    insert(control, "young", "delivered", "1 day", 5);
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = Database.pool(vertx, url, 2);
      EventStores stores = new EventStores(vertx, new EventStore(EventStore.CONTROL, url, pool), Map.of(), 2);
      RetentionJob.Settings settings = new RetentionJob.Settings("me", Duration.ofDays(7), Duration.ofDays(30), 5,
          Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(1));
      RetentionJob job = new RetentionJob(vertx, stores, new JobLease(), new Retention(), new SimpleMeterRegistry(),
          settings);
      Map<String, Map<String, Long>> deleted = onContext(vertx, job::runIfDue);
      assertThat(deleted).isEqualTo(Map.of("control", Map.of("delivered_events", 23L, "fires", 0L,
          "dead_events", 7L, "delivery_log", 0L)));
      assertThat(tags(control)).isEqualTo(Map.of("young", 5L));
      // ran a moment ago: not due again, on this instance or any other
      assertThat(onContext(vertx, job::runIfDue)).isNull();
      assertThat(control.queryLong("SELECT count(*) FROM whiskfeed.jobs WHERE locked_by IS NULL")).isEqualTo(1);
      pool.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Thousands of batches in one run (10M rows are 2,000 of the default size): the run ends, and says so. */
  @Test
  void aRunOfThousandsOfBatchesCompletes(TestPostgres pg) throws Exception {
    TestDatabase control = pg.newDatabase("retention_many");
    DbUrl url = DbUrl.parse(control.url());
    Migrations.migrateControl(url);
    insert(control, "old", "delivered", "10 days", 3000);
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = Database.pool(vertx, url, 2);
      EventStores stores = new EventStores(vertx, new EventStore(EventStore.CONTROL, url, pool), Map.of(), 2);
      RetentionJob job = new RetentionJob(vertx, stores, new JobLease(), new Retention(), new SimpleMeterRegistry(),
          new RetentionJob.Settings("me", Duration.ofDays(7), Duration.ofDays(30), 1, Duration.ofMinutes(15),
              Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(1)));
      Map<String, Map<String, Long>> deleted = onContext(vertx, job::runIfDue);
      assertThat(deleted.get("control").get("delivered_events")).isEqualTo(3000);
      assertThat(control.queryLong("SELECT count(*) FROM whiskfeed.events")).isZero();
      pool.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void oneInstanceAtATimeHoldsTheJob(TestPostgres pg) throws Exception {
    TestDatabase control = pg.newDatabase("retention_lease");
    DbUrl url = DbUrl.parse(control.url());
    Migrations.migrateControl(url);
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = Database.pool(vertx, url, 2);
      JobLease leases = new JobLease();
      long lease = 60_000;
      long every = 900_000;
      assertThat(onContext(vertx, () -> leases.claim(pool, "retention", "a", lease, every))).isTrue();
      assertThat(onContext(vertx, () -> leases.claim(pool, "retention", "b", lease, every))).isFalse();
      assertThat(onContext(vertx, () -> leases.renew(pool, "retention", "b", lease))).isFalse();
      assertThat(onContext(vertx, () -> leases.renew(pool, "retention", "a", lease))).isTrue();
      // a crashed holder's lease runs out: another instance takes the job over, and the old holder lost it
      control.execute("UPDATE whiskfeed.jobs SET locked_until = now() - interval '1 second'");
      assertThat(onContext(vertx, () -> leases.claim(pool, "retention", "b", lease, every))).isTrue();
      assertThat(onContext(vertx, () -> leases.renew(pool, "retention", "a", lease))).isFalse();
      onContext(vertx, () -> leases.finish(pool, "retention", "b"));
      assertThat(onContext(vertx, () -> leases.claim(pool, "retention", "a", lease, every))).isFalse();
      control.execute("UPDATE whiskfeed.jobs SET last_run_at = now() - interval '16 minutes'");
      assertThat(onContext(vertx, () -> leases.claim(pool, "retention", "a", lease, every))).isTrue();
      pool.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code work} on a Vert.x context (as the verticle would) and waits for its result. */
  private static <T> T onContext(Vertx vertx, java.util.function.Supplier<Future<T>> work) throws Exception {
    java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();
    vertx.runOnContext(v -> work.get().onComplete(ar -> {
      if (ar.succeeded()) done.complete(ar.result());
      else done.completeExceptionally(ar.cause());
    }));
    return done.get(60, TimeUnit.SECONDS);
  }
}
