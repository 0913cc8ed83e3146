package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two instances: two provider processes share one database while a writer commits rows and an alarm fires every
 * second; one of them is SIGKILLed midway and started again (same instance id, as a restarted pod). Every event is
 * delivered, no event is fired by two fires that overlap in time (a second fire only after the first was answered
 * or its holder died), and the alarm makes at most one event per instant (an event the killed instance was firing
 * may be fired again: at least once).
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class TwoInstancesReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:twoInstancesReliabilityKey";

  @Test
  void twoProvidersOneKilledAndRestartedDeliverEverythingOnce(TestPostgres pg) throws Exception {
    int load = Reliability.load(1_500, 20_000);
    TestDatabase db = pg.newDatabase("twoinstances");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    Map<String, String> envA = TestProvider.env(db, openwhisk.url());
    envA.put("WHISKFEED_INSTANCE_ID", "instance-a");
    Map<String, String> envB = TestProvider.env(db, openwhisk.url());
    envB.put("WHISKFEED_INSTANCE_ID", "instance-b");
    ProviderProcess a = ProviderProcess.start(envA, Path.of("target", "reliability-two-a.log"));
    try (ProviderProcess b = ProviderProcess.start(envB, Path.of("target", "reliability-two-b.log"))) {
      Api apiA = new Api(a.port(), KEY);
      Api apiB = new Api(b.port(), KEY);
      assertThat(apiA.create("guest", "orders", new JsonObject().put("kind", "changes").put("table", "public.orders"))
          .status()).isEqualTo(200);
      Instant alarmFrom = Instant.now();
      assertThat(apiB.create("guest", "tick", new JsonObject().put("kind", "alarm").put("cron", "* * * * * *"))
          .status()).isEqualTo(200);

      long t0 = System.nanoTime();
      try (RowWriter writer = new RowWriter(db, "public.orders", 50, Duration.ofMillis(20), load).start()) {
        await().atMost(Duration.ofSeconds(120)).until(() -> openwhisk.fires("guest", "orders").size() >= load / 3);
        a.kill();
        long killedAtFires = openwhisk.fires("guest", "orders").size();
        a = ProviderProcess.start(envA, Path.of("target", "reliability-two-a-restarted.log"));
        await().atMost(Duration.ofSeconds(180)).until(writer::done);
        await().atMost(Duration.ofSeconds(180)).until(() ->
            db.queryLong("SELECT count(*) FROM whiskfeed.event_status e JOIN whiskfeed.feeds f ON f.id = e.feed_id "
                + "WHERE f.trigger = 'orders' AND e.state = 'delivered'") == load);
        long drainMs = (System.nanoTime() - t0) / 1_000_000;

        Instant pausing = Instant.now();
        assertThat(apiB.pause("guest", "tick").status()).isEqualTo(200);
        Instant alarmTo = Instant.now();
        // the alarm's events stored before the pause are delivered too; one stored around it (an
        // instant due just before the pause, stored by a scheduler running late on a loaded box
        // after PAUSE answered) waits for UNPAUSE, as a paused feed's events do
        await().atMost(Duration.ofSeconds(60)).until(() -> pendingAlarms(db, pausing.minusSeconds(1)) == 0);
        long alarmEvents = db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE op = 'ALARM'");
        long deliveredAlarms = db.queryLong(
            "SELECT count(*) FROM whiskfeed.event_status WHERE op = 'ALARM' AND state = 'delivered'");
        long instants = alarmFrom.truncatedTo(ChronoUnit.SECONDS).until(alarmTo, ChronoUnit.SECONDS) + 1;
        long sameSecond = db.queryLong("SELECT count(*) FROM (SELECT date_trunc('second', created_at) s "
            + "FROM whiskfeed.events WHERE op = 'ALARM' GROUP BY 1 HAVING count(*) > 1) d");

        List<Recorded> fires = openwhisk.fires("guest", "orders");
        List<String> overlapping = overlapping(fires);
        List<Recorded> alarmFires = openwhisk.fires("guest", "tick");
        Reliability.report("two-instances", load, "SIGKILL+restart-of-1-of-2", written(db),
            Reliability.delivered(fires).size(), Reliability.duplicated(fires), load - Reliability.delivered(fires).size(),
            drainMs, "firedAtKill=" + killedAtFires + " overlapping=" + overlapping.size() + " alarmInstants="
                + instants + " alarmEvents=" + alarmEvents + " alarmFires=" + alarmFires.size()
                + " alarmSecondsWithTwoEvents=" + sameSecond);

        assertThat(written(db)).isEqualTo(load);
        assertThat(Reliability.delivered(fires)).hasSize(load);
        assertThat(overlapping).as("one event fired by two overlapping fires").isEmpty();
        assertThat(alarmEvents).as("at most one event per instant").isLessThanOrEqualTo(instants);
        assertThat(alarmEvents - deliveredAlarms).as("alarm events left pending by the pause").isLessThanOrEqualTo(1);
        assertThat(Reliability.delivered(alarmFires)).hasSize((int) deliveredAlarms);
        // at least once: an alarm event the killed instance had fired but not yet settled is fired
        // again once its lease expires (its first fire may reach OpenWhisk a moment after the kill),
        // never while another fire of it is in flight
        assertThat(overlapping(alarmFires)).as("an alarm event fired by two overlapping fires").isEmpty();
        assertThat(Reliability.duplicated(alarmFires)).as("alarm events fired again after the kill").isLessThanOrEqualTo(2);
      }
    } finally {
      a.close();
    }
  }

  /** Events with a fire that started before the previous fire of the same event was answered. */
  static List<String> overlapping(List<Recorded> fires) {
    List<String> out = new ArrayList<>();
    Reliability.byEvent(fires).forEach((id, attempts) -> {
      for (int i = 1; i < attempts.size(); i++) {
        Recorded previous = attempts.get(i - 1);
        // never answered: its holder died with it (the answer went to a closed connection)
        if (previous.answeredAt() == null) continue;
        if (attempts.get(i).receivedAt().isBefore(previous.answeredAt())) out.add(id);
      }
    });
    return out;
  }

  /** Pending alarm events stored before {@code before}. */
  static long pendingAlarms(TestDatabase db, Instant before) {
    return db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE op = 'ALARM' AND state = 'pending' "
        + "AND created_at < ?", java.sql.Timestamp.from(before));
  }

  static long written(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM public.orders");
  }
}
