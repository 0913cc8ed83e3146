package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 19's fairness figure: an every-second alarm while another feed's 20k backlog drains. The
 * backlog is inserted while its feed is paused, the alarm is created, then the backlog's feed is
 * unpaused; every OpenWhisk answer takes {@code bench.delayMs} (default 100 ms), so the backlog
 * takes tens of seconds at the engine's concurrency. Counts the alarm's instants in the drain window
 * and those delivered at most a second after their instant (delivered_at − scheduledAt, which is
 * the acknowledgement, a little after the fire). Prints figures; asserts only completeness.
 * Run: {@code mvn -B -Pbench verify -pl provider -am -Dit.test=FairnessBench}.
 */
@ExtendWith(PgExtension.class)
class FairnessBench {
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";

  @Test
  void anEverySecondAlarmWhileABacklogDrains(TestPostgres pg) throws Exception {
    Durability.production(pg);
    int backlog = Integer.getInteger("bench.backlog", 20_000);
    Vertx vertx = Vertx.vertx();
    try (Receiver receiver = Receiver.start(vertx)) {
      receiver.delayMs = Long.getLong("bench.delayMs", 100);
      for (int rep = 0; rep < Integer.getInteger("bench.reps", 3); rep++) {
        TestDatabase db = pg.newDatabase("fair");
        receiver.seen.clear();
        try (Provider provider = TestProvider.start(db, receiver.url(), Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"))) {
          Api api = new Api(provider.port(), KEY);
          api.create("bench", "backlog", new JsonObject().put("kind", "webhook"));
          api.pause("bench", "backlog");
          db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT f.id, 'MANUAL', "
              + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, ?) g "
              + "JOIN whiskfeed.feeds f ON f.trigger = 'backlog'", backlog);
          api.create("bench", "tick", new JsonObject().put("kind", "alarm").put("cron", "* * * * * *"));
          Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
          api.unpause("bench", "backlog");
          Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() ->
              db.queryLong("SELECT count(*) FROM whiskfeed.event_status e JOIN whiskfeed.feeds f ON f.id = e.feed_id "
                  + "WHERE f.trigger = 'backlog' AND e.state = 'delivered'") == backlog);
          Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
          api.pause("bench", "tick");
          long instants = Math.max(0, from.until(to, ChronoUnit.SECONDS) + 1);
          // each instant's event, and how late it was acknowledged (a second or less counts)
          Map<String, Object> r = db.query("""
              SELECT count(*) AS written,
                     count(*) FILTER (WHERE e.state = 'delivered'
                                      AND e.delivered_at <= (e.payload->>'scheduledAt')::timestamptz + interval '1 second') AS on_time,
                     coalesce(max(extract(epoch FROM e.delivered_at - (e.payload->>'scheduledAt')::timestamptz) * 1000), -1)::bigint AS worst_ms
              FROM whiskfeed.event_status e JOIN whiskfeed.feeds f ON f.id = e.feed_id
              WHERE f.trigger = 'tick' AND (e.payload->>'scheduledAt')::timestamptz BETWEEN ?::timestamptz AND ?::timestamptz""",
              from.toString(), to.toString()).get(0);
          long onTime = ((Number) r.get("on_time")).longValue();
          System.out.printf("BENCH fairness backlog=%d delayMs=%d drain=%ds: alarm instants=%d written=%s "
                  + "on time (<= 1 s)=%d (%.0f %%), worst %s ms%n", backlog, receiver.delayMs, instants + 2,
              instants, r.get("written"), onTime, instants == 0 ? 0.0 : 100.0 * onTime / instants, r.get("worst_ms"));
          assertThat(instants).as("the backlog took more than a few seconds to drain").isGreaterThan(3);
        }
      }
    } finally {
      vertx.close();
    }
  }
}
