package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.alarms.AlarmScheduler;
import dev.whiskfeed.app.Provider;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.SecretBox;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.SettableClock;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Alarms beyond one instance and one feed: several schedulers on one database, a thousand feeds due
 * at one instant, and an OpenWhisk that cannot be reached when a trigger is to be deleted.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AlarmInstancesIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:alarmScaleKey";
  static final Instant T0 = Instant.parse("2030-01-01T00:00:30Z");
  SettableClock clock;
  TestDatabase db;
  Provider provider;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("alarminstances");
    clock = new SettableClock(T0);
    provider = startProvider();
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  private Provider startProvider() {
    try {
      return Provider.start(Config.from(TestProvider.env(db, openwhisk.url())), clock);
    } catch (Exception e) {
      throw new IllegalStateException("provider did not start", e);
    }
  }

  private void everyMinute(String trigger) {
    alarm(trigger, new JsonObject().put("cron", "* * * * *"));
  }

  private void alarm(String trigger, JsonObject params) {
    Api.Response r = new Api(provider.port(), KEY).create("guest", trigger, new JsonObject().put("kind", "alarm")
        .mergeIn(params));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A scheduler on its own verticle context with its own pool: one provider instance, as far as alarms go. */
  private AlarmScheduler instance(String name, List<Pool> pools) throws Exception {
    return instance(name, pools, URI.create(openwhisk.url()));
  }

  private AlarmScheduler instance(String name, List<Pool> pools, URI openwhiskUrl) throws Exception {
    Pool pool = Database.pool(vertx, DbUrl.parse(db.url()), 2);
    pools.add(pool);
    FeedCodec codec = new FeedCodec(new SecretBox(Base64.getDecoder().decode(TestProvider.MASTER_KEY)));
    AlarmScheduler[] made = new AlarmScheduler[1];
    get(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        made[0] = new AlarmScheduler(vertx, pool, codec, new OpenWhiskClient(WebClient.create(vertx), openwhiskUrl),
            clock, name);
        return Future.succeededFuture();
      }
    }));
    return made[0];
  }

  @Test
  void threeInstancesOnOneDatabaseFireEachOfAHundredMinutesExactlyOnce() throws Exception {
    int feeds = 5;
    for (int i = 0; i < feeds; i++) everyMinute("t" + i);
    provider.close(); // only the three instances below schedule
    provider = null;
    List<Pool> pools = new ArrayList<>();
    List<AlarmScheduler> instances = List.of(instance("a", pools), instance("b", pools), instance("c", pools));
    long[] byInstance = new long[instances.size()];
    try {
      for (int minute = 1; minute <= 100; minute++) {
        clock.set(T0.plusSeconds(60L * minute - 30).plusMillis(100));
        List<Future<Integer>> runs = new ArrayList<>();
        for (int round = 0; round < 2; round++) instances.forEach(s -> runs.add(s.runDue()));
        get(Future.all(runs));
        int fired = 0;
        for (int i = 0; i < runs.size(); i++) {
          fired += runs.get(i).result();
          byInstance[i % instances.size()] += runs.get(i).result();
        }
        assertThat(fired).as("events of minute %d", minute).isEqualTo(feeds);
      }
    } finally {
      for (Pool pool : pools) get(pool.close());
    }
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE op = 'ALARM'")).isEqualTo(100L * feeds);
    List<Map<String, Object>> perFeed = db.query("SELECT feed_id, count(*) AS n, "
        + "count(DISTINCT payload->>'scheduledAt') AS instants FROM whiskfeed.events GROUP BY feed_id");
    assertThat(perFeed).hasSize(feeds).allSatisfy(row -> {
      assertThat(((Number) row.get("n")).longValue()).isEqualTo(100);
      assertThat(((Number) row.get("instants")).longValue()).isEqualTo(100);
    });
    System.out.printf("alarms: 3 instances x 100 minutes x %d feeds: events by instance a=%d b=%d c=%d%n", feeds,
        byInstance[0], byInstance[1], byInstance[2]);
  }

  @Test
  void aThousandFeedsDueAtOneInstantAllFireAndThePingStaysPrompt() throws Exception {
    int feeds = 1000;
    everyMinute("t1");
    provider.close();
    db.execute("INSERT INTO whiskfeed.feeds (namespace, trigger, kind, config, secrets, auth_key, state) "
        + "SELECT namespace, 't' || g, kind, config, secrets, auth_key, state FROM whiskfeed.feeds, "
        + "generate_series(2, ?) g", feeds);
    db.execute("INSERT INTO whiskfeed.alarm_schedules (feed_id, next_fire) SELECT id, ? FROM whiskfeed.feeds "
        + "ON CONFLICT (feed_id) DO NOTHING", Instant.parse("2030-01-01T00:01:00Z"));
    provider = startProvider();
    Api ping = new Api(provider.port(), null);

    AtomicBoolean pinging = new AtomicBoolean(true);
    AtomicLong maxPingNanos = new AtomicLong();
    AtomicLong pings = new AtomicLong();
    ExecutorService pinger = Executors.newSingleThreadExecutor();
    java.util.concurrent.Future<?> pingLoop = pinger.submit(() -> {
      while (pinging.get()) {
        long t = System.nanoTime();
        assertThat(ping.send("GET", "/ping", null).status()).isEqualTo(200);
        maxPingNanos.accumulateAndGet(System.nanoTime() - t, Math::max);
        pings.incrementAndGet();
      }
    });
    long start = System.nanoTime();
    clock.set(Instant.parse("2030-01-01T00:01:00.100Z"));
    provider.alarms().runDue();
    AtomicLong writtenAt = new AtomicLong();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        if (writtenAt.get() == 0 && db.queryLong("SELECT count(*) FROM whiskfeed.events") == feeds) {
          writtenAt.set(System.nanoTime());
        }
        return openwhisk.fireCount() >= feeds;
      });
    } finally {
      pinging.set(false);
      pingLoop.get(10, TimeUnit.SECONDS);
      pinger.shutdown();
    }
    long firedMs = (System.nanoTime() - start) / 1_000_000;
    long writtenMs = writtenAt.get() == 0 ? -1 : (writtenAt.get() - start) / 1_000_000;
    long maxPingMs = maxPingNanos.get() / 1_000_000;
    System.out.printf("alarms: %d feeds due at one instant: events written in %d ms, all fired in %d ms; "
        + "/ping answered %d times during the burst, slowest %d ms%n", feeds, writtenMs, firedMs, pings.get(), maxPingMs);
    assertThat(openwhisk.fires().stream().map(f -> f.trigger()).distinct().count()).isEqualTo(feeds);
    assertThat(openwhisk.fireCount()).isEqualTo(feeds);
    assertThat(pings.get()).isPositive();
    assertThat(maxPingMs).isLessThan(2000);
  }

  @Test
  void aTriggerDeletionThatCannotReachOpenWhiskIsRetriedByAnyInstanceAfterItsLease() throws Exception {
    alarm("t", new JsonObject().put("date", "2030-01-01T00:10:00Z").put("deleteAfterFire", true));
    provider.close();
    provider = null;
    List<Pool> pools = new ArrayList<>();
    try {
      AlarmScheduler cutOff = instance("cut-off", pools, URI.create("http://127.0.0.1:9")); // discard port: refused
      clock.set(Instant.parse("2030-01-01T00:10:00Z"));
      assertThat(get(cutOff.runDue())).isEqualTo(1);
      db.execute("WITH p AS (DELETE FROM whiskfeed.pending) " // as if fired
          + "UPDATE whiskfeed.events SET state = 'delivered', delivered_at = now()");
      get(cutOff.runDue()); // leases the deletion, which then fails
      await().atMost(Duration.ofSeconds(10)).until(() ->
          db.queryLong("SELECT count(*) FROM whiskfeed.alarm_schedules WHERE locked_by = 'cut-off'") == 1);
      AlarmScheduler other = instance("other", pools);
      clock.set(Instant.parse("2030-01-01T00:10:20Z"));
      get(other.runDue());
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isEqualTo(1); // still leased
      clock.set(Instant.parse("2030-01-01T00:10:31Z"));
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        get(other.runDue());
        return db.queryLong("SELECT count(*) FROM whiskfeed.feeds") == 0;
      });
    } finally {
      for (Pool pool : pools) get(pool.close());
    }
    assertThat(openwhisk.requests().stream().filter(r -> "DELETE".equals(r.method())).map(r -> r.path()))
        .containsExactly("/api/v1/namespaces/guest/triggers/t");
  }
}
