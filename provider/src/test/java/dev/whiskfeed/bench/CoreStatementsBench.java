package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The delivery core's own statements, without the engine around them: the provider's claim and
 * outcome statements ({@link ClaimRepository}) on the event store as its migrations leave it, one
 * connection, one statement at a time, so the backend CPU of each is read alone (EngineBench reads
 * the sum, with the engine, the receiver and the JIT on the same cores). A backlog of 20 feeds is
 * claimed as the engine's planner does (from the newest due time the last claim took), each claim's
 * events acknowledged as delivered in fires of up to {@code bench.fire} events of one feed.
 * Prints backend CPU per event for the claims and the outcomes; asserts that every event was
 * claimed once. Run: {@code mvn -B -q -pl provider verify -Pbench -Dit.test=CoreStatementsBench
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 * ({@code -Dbench.events=100000 -Dbench.claims=100,2000 -Dbench.fire=100 -Dbench.rounds=3}).
 */
@ExtendWith(PgExtension.class)
class CoreStatementsBench {
  static final int EVENTS = Integer.getInteger("bench.events", 100_000);
  static final int FIRE = Integer.getInteger("bench.fire", 100);
  static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  static final int FEEDS = 20;
  /**
   * -Dbench.plans=generic,custom,all-generic: claims on generic plans (as the provider's claim
   * connection), on custom plans, or claims and outcomes on generic plans; several alternate.
   */
  static final List<String> PLANS = List.of(System.getProperty("bench.plans", "generic").split(","));

  record Figures(double claimUs, double ackUs, double eventsPerSec) {}

  @Test
  void coreStatements(TestPostgres pg) throws Exception {
    Durability.production(pg);
    Vertx vertx = Vertx.vertx();
    Map<String, List<Figures>> results = new LinkedHashMap<>();
    try {
      for (int round = 0; round < ROUNDS + 1; round++) {
        for (String c : System.getProperty("bench.claims", "100,2000").split(",")) {
          int claimSize = Integer.parseInt(c.trim());
          for (String plans : PLANS) {
            Figures f = run(pg, vertx, claimSize, plans);
            System.out.printf(Locale.ROOT, "BENCH   round %d, claims of %d, %s plans: claim %.1f µs, outcomes %.1f µs%n",
                round, claimSize, plans, f.claimUs(), f.ackUs());
            // round 0: warm-up
            if (round > 0) results.computeIfAbsent(claimSize + ", " + plans + " plans", k -> new ArrayList<>()).add(f);
          }
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "core statements: %d events of %d feeds, fires of "
        + "%d, %d rounds after one untimed, medians (min-max); backend CPU per event%n", EVENTS, FEEDS, FIRE, ROUNDS));
    results.forEach((size, figures) -> out.append(String.format(Locale.ROOT,
        "BENCH claims of %-20s claim %s µs | outcomes %s µs | %s events/s%n", size,
        Spread.of(figures.stream().mapToDouble(Figures::claimUs).toArray(), 1),
        Spread.of(figures.stream().mapToDouble(Figures::ackUs).toArray(), 1),
        Spread.of(figures.stream().mapToDouble(Figures::eventsPerSec).toArray(), 0))));
    System.out.print(out);
  }

  private static Figures run(TestPostgres pg, Vertx vertx, int claimSize, String plans) throws Exception {
    TestDatabase db = pg.newDatabase("core");
    DbUrl url = DbUrl.parse(db.url());
    Migrations.migrateEventStore(url);
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT 1 + (g % ?), 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('n', g, 'pad', repeat('x', 200))) "
        + "FROM generate_series(1, ?) g", FEEDS, EVENTS);
    db.execute("VACUUM ANALYZE whiskfeed.events");
    db.execute("VACUUM ANALYZE whiskfeed.pending");
    // every run starts right after a checkpoint: the first change of each page after one writes the
    // whole page to the WAL, in the backend that changes it
    db.execute("CHECKPOINT");
    // as in the provider: claims on a connection of their own, on generic plans; outcomes on another
    Pool claimPool = plans.equals("custom") ? Database.pool(vertx, url, 1) : Database.claimPool(vertx, url);
    Pool pool = Database.pool(vertx, url, 1);
    if (plans.equals("all-generic")) get(pool.query("SET plan_cache_mode = force_generic_plan").execute());
    try {
      int claimPid = get(claimPool.query("SELECT pg_backend_pid() AS pid").execute()).iterator().next().getInteger("pid");
      int pid = get(pool.query("SELECT pg_backend_pid() AS pid").execute()).iterator().next().getInteger("pid");
      ClaimRepository claims = new ClaimRepository();
      long[] feeds = new long[FEEDS];
      for (int f = 0; f < FEEDS; f++) feeds[f] = f + 1;
      long claimNanos = 0;
      long ackNanos = 0;
      int done = 0;
      Instant floor = null;
      // as the provider does since events migration V9 (which dropped claims_holder): the claims
      // table vacuumed after every thousand claims settled (on the outcomes' connection)
      boolean vacuums = db.queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'claims_holder'") == 0;
      int settledSinceVacuum = 0;
      Statements.reset(db);
      long t0 = System.nanoTime();
      while (true) {
        long cpu0 = CpuMeter.backendsNanos(List.of(claimPid));
        List<ClaimedEvent> took = get(claims.claimSince(claimPool, "bench", 30_000, feeds, claimSize, floor,
            floor == null ? 86_400_000L : 0));
        long cpu1 = CpuMeter.backendsNanos(List.of(claimPid));
        claimNanos += cpu1 - cpu0;
        if (took.isEmpty()) break;
        floor = took.stream().map(ClaimedEvent::dueAt).max(Instant::compareTo).orElseThrow();
        // fires of up to FIRE events of one feed, each with its own activation
        Map<Long, Integer> inFire = new LinkedHashMap<>();
        Map<Long, String> activation = new LinkedHashMap<>();
        List<Ack> acks = new ArrayList<>(took.size());
        for (ClaimedEvent e : took) {
          int n = inFire.merge(e.feedId(), 1, Integer::sum);
          if (n % FIRE == 1 || FIRE == 1) activation.put(e.feedId(), String.format("%032x", (long) done + acks.size()));
          acks.add(Ack.delivered(e.id(), 202, activation.get(e.feedId())));
        }
        long[] settled = took.stream().mapToLong(ClaimedEvent::claim).distinct().toArray();
        cpu0 = CpuMeter.backendsNanos(List.of(pid));
        int written = get(claims.ack(pool, "bench", acks, took, settled));
        settledSinceVacuum += settled.length;
        if (vacuums && settledSinceVacuum >= 1_000) {
          settledSinceVacuum = 0;
          get(pool.query("VACUUM (SKIP_LOCKED) whiskfeed.claims").execute());
        }
        ackNanos += CpuMeter.backendsNanos(List.of(pid)) - cpu0;
        assertThat(written).isEqualTo(took.size());
        done += took.size();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      Statements.print(db, "claims of " + claimSize + ", " + plans + " plans");
      assertThat(done).isEqualTo(EVENTS);
      return new Figures(claimNanos / 1e3 / done, ackNanos / 1e3 / done, done / secs);
    } finally {
      claimPool.close();
      pool.close();
    }
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
