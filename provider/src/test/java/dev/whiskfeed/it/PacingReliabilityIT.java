package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fire pacing (API.md "Fire pacing") against a stand-in OpenWhisk that throttles the namespace as OpenWhisk does:
 * {@code limit} fires in any rolling minute, 429 with Retry-After above it. A batching feed receives 20 events a
 * second; every event must be delivered at the cost of at most 5 answers 429, adaptively (the default), with a
 * fixed pace, and with a fixed pace shared by two instances. Full size (-Preliability): 60 fires a minute, 30 s of
 * events; the default build: 20 a minute, 10 s.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PacingReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:pacingReliabilityKey0123456789";
  static final int EVENTS_PER_SECOND = 20;
  static final int MAX_429 = 5;

  final int limit = Reliability.load(20, 60);
  final int seconds = Reliability.load(10, 30);

  @BeforeEach
  void standIn() {
    openwhisk.reset();
    openwhisk.registerKey("guest", KEY);
    openwhisk.limitFires("guest", limit);
  }

  @Test
  void adaptivePacingDeliversEveryEventWithAFew429s(TestPostgres pg) throws Exception {
    run(pg, "pacing-adaptive", Map.of(), 1);
  }

  @Test
  void aFixedPaceDeliversEveryEventWithAFew429s(TestPostgres pg) throws Exception {
    run(pg, "pacing-fixed", Map.of("WHISKFEED_FIRES_PER_MINUTE", Integer.toString(limit)), 1);
  }

  @Test
  void twoInstancesShareAFixedPace(TestPostgres pg) throws Exception {
    run(pg, "pacing-fixed-two-instances", Map.of("WHISKFEED_FIRES_PER_MINUTE", Integer.toString(limit)), 2);
  }

  private void run(TestPostgres pg, String name, Map<String, String> overrides, int instances) throws Exception {
    TestDatabase db = pg.newDatabase(name.replace('-', '_'));
    List<Provider> providers = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        Map<String, String> env = new HashMap<>(overrides);
        env.put("WHISKFEED_INSTANCE_ID", name + "-" + i);
        providers.add(TestProvider.start(db, openwhisk.url(), env));
      }
      if (instances > 1) awaitEveryInstanceCountsTheOthers(db, instances);
      List<Api> apis = providers.stream().map(p -> new Api(p.port(), KEY)).toList();
      Api.Response created = apis.get(0).create("guest", "paced", new JsonObject().put("kind", "webhook")
          .put("batchSize", 100));
      assertThat(created.status()).as(created.body()).isEqualTo(200);

      int total = EVENTS_PER_SECOND * seconds;
      Set<String> sent = new HashSet<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < total; i++) {
        // 20 a second, on schedule: the sender waits for each event's instant, not a fixed sleep after each
        long due = t0 + i * 1_000_000_000L / EVENTS_PER_SECOND;
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
            .until(() -> System.nanoTime() >= due);
        Api.Response r = apis.get(i % instances).event("guest", "paced", new JsonObject().put("n", i));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        sent.add(r.json().getString("eventId"));
      }
      long sentMs = (System.nanoTime() - t0) / 1_000_000;
      await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100)).until(() ->
          db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'") == total);
      long drainMs = (System.nanoTime() - t0) / 1_000_000;

      List<Recorded> fires = openwhisk.fires("guest", "paced");
      List<Recorded> accepted = fires.stream().filter(Reliability::accepted).toList();
      long throttled = fires.stream().filter(f -> f.status() == 429).count();
      Set<String> delivered = new HashSet<>();
      accepted.forEach(f -> delivered.addAll(Arrays.asList(f.header("X-Whiskfeed-Event-Id").split(","))));
      int fullest = accepted.stream().mapToInt(f -> f.header("X-Whiskfeed-Event-Id").split(",").length).max().orElse(0);
      Reliability.report(name, total, "namespace-limit-" + limit + "/min", total, delivered.size(),
          accepted.stream().mapToInt(f -> f.header("X-Whiskfeed-Event-Id").split(",").length).sum() - delivered.size(),
          total - delivered.size(), drainMs, "instances=" + instances + " sentMs=" + sentMs + " fires=" + fires.size()
              + " accepted=" + accepted.size() + " answered429=" + throttled + " fullestFire=" + fullest
              + " mostFiresInAMinute=" + mostInAnyRollingMinute(fires));

      assertThat(delivered).as("every event delivered").containsAll(sent);
      assertThat(throttled).as("fires answered 429").isLessThanOrEqualTo(MAX_429);
      if (overrides.containsKey("WHISKFEED_FIRES_PER_MINUTE")) {
        assertThat(mostInAnyRollingMinute(fires)).as("fires sent in any rolling minute, over all instances")
            .isLessThanOrEqualTo(limit);
        // the runs are shorter than a minute: the pace shows as each instance's burst (a tenth of its share)
        // plus the share's rate over the time fires went out; instances that did not share would send about twice
        Duration span = Duration.between(fires.get(0).receivedAt(), fires.get(fires.size() - 1).receivedAt());
        double paced = instances * Math.max(1, Math.floor(limit / (double) instances / 10))
            + limit * span.toMillis() / 60_000.0;
        assertThat((double) fires.size()).as("fires in %d ms at %d a minute over all instances", span.toMillis(), limit)
            .isLessThanOrEqualTo(paced + 1);
      }
    } finally {
      for (Provider p : providers) p.close();
    }
  }

  /** Each instance beat after all had joined, so each divides the pace by all of them. */
  private static void awaitEveryInstanceCountsTheOthers(TestDatabase db, int instances) {
    await().atMost(Duration.ofSeconds(30)).until(() ->
        db.queryLong("SELECT count(*) FROM whiskfeed.instances WHERE seen_at > now() - interval '15 seconds'")
            == instances);
    long joined = db.queryLong("SELECT (extract(epoch FROM max(seen_at)) * 1000)::bigint FROM whiskfeed.instances");
    await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong(
        "SELECT (extract(epoch FROM min(seen_at)) * 1000)::bigint FROM whiskfeed.instances") > joined);
  }

  private static int mostInAnyRollingMinute(List<Recorded> fires) {
    List<Instant> at = fires.stream().map(Recorded::receivedAt).sorted().toList();
    int most = 0;
    for (int i = 0, first = 0; i < at.size(); i++) {
      while (!at.get(first).plus(Duration.ofMinutes(1)).isAfter(at.get(i))) first++;
      most = Math.max(most, i - first + 1);
    }
    return most;
  }
}
