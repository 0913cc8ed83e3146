package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.SettableClock;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Alarm feeds end to end (issue 7): a provider whose clock the test sets, the scheduler's
 * {@code runDue()} called right after, and the stand-in OpenWhisk recording fires and deletions.
 * No test waits for a real minute.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AlarmIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:alarmTestKey";
  static final Instant T0 = Instant.parse("2030-01-01T00:00:30Z");
  SettableClock clock;
  TestDatabase db;
  Provider provider;
  Api api;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("alarms");
    clock = new SettableClock(T0);
    startProvider();
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  private void startProvider() {
    try {
      provider = Provider.start(Config.from(TestProvider.env(db, openwhisk.url())), clock);
    } catch (Exception e) {
      throw new IllegalStateException("provider did not start", e);
    }
    api = new Api(provider.port(), KEY);
  }

  // ---- helpers

  private void alarm(String trigger, JsonObject params) {
    Api.Response r = api.create("guest", trigger, new JsonObject().put("kind", "alarm").mergeIn(params));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private void at(String iso) {
    clock.set(Instant.parse(iso));
  }

  /** Runs the scheduler until the trigger has {@code n} events (its own timer may run a pass first). */
  private void runDueUntil(String trigger, long n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      runDue();
      return events(trigger) >= n;
    });
    assertThat(events(trigger)).isEqualTo(n);
  }

  private void runDue() {
    try {
      provider.alarms().runDue().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long events(String trigger) {
    return db.queryLong("SELECT count(*) FROM whiskfeed.events e JOIN whiskfeed.feeds f ON f.id = e.feed_id "
        + "WHERE f.trigger = ? AND e.op = 'ALARM'", trigger);
  }

  private Instant nextFire(String trigger) {
    return Instant.ofEpochMilli(db.queryLong("SELECT (extract(epoch FROM s.next_fire) * 1000)::bigint "
        + "FROM whiskfeed.alarm_schedules s JOIN whiskfeed.feeds f ON f.id = s.feed_id WHERE f.trigger = ?", trigger));
  }

  private JsonArray listed(String trigger) {
    return api.events("guest", trigger, "limit=100").json().getJsonArray("events");
  }

  private JsonObject status(String trigger) {
    return api.read("guest", trigger).json().getJsonObject("status");
  }

  private void awaitFires(String trigger, int n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", trigger).size() >= n);
    assertThat(openwhisk.fires("guest", trigger)).hasSize(n);
  }

  private void awaitDisabled(String trigger, String message) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      runDue();
      return "disabled".equals(status(trigger).getString("state"));
    });
    assertThat(status(trigger).getJsonObject("reason").getString("message")).isEqualTo(message);
    assertThat(status(trigger).getJsonObject("reason").getString("kind")).isEqualTo("AUTO");
  }

  private List<Recorded> deletions() {
    return openwhisk.requests().stream().filter(r -> "DELETE".equals(r.method())).toList();
  }

  private static void assertError(Api.Response r, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error()).isEqualTo(message);
  }

  // ---- schedules

  @Test
  void anEveryMinuteCronFiresEachMinuteWithItsPayloadAsIs() {
    alarm("t", new JsonObject().put("cron", "* * * * *").put("trigger_payload", new JsonObject().put("n", 1)));
    assertThat(nextFire("t")).isEqualTo(Instant.parse("2030-01-01T00:01:00Z"));
    for (int minute = 1; minute <= 5; minute++) {
      at("2030-01-01T00:0" + minute + ":00.200Z");
      runDueUntil("t", minute);
      awaitFires("t", minute);
      at("2030-01-01T00:0" + minute + ":40Z"); // between instants: nothing
      runDue();
      assertThat(events("t")).isEqualTo(minute);
    }
    assertThat(openwhisk.fires("guest", "t")).allSatisfy(f -> {
      assertThat(f.json()).isEqualTo(new JsonObject().put("n", 1));
      assertThat(f.authKey()).isEqualTo(KEY);
    });
    JsonObject newest = listed("t").getJsonObject(0).getJsonObject("payload");
    assertThat(newest.getString("scheduledAt")).isEqualTo("2030-01-01T00:05:00Z");
    assertThat(newest.getBoolean("late")).isFalse();
    assertThat(newest.getLong("lateBySec")).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> api.read("guest", "t").json().getJsonObject("stats")
        .getLong("fires") == 5);
  }

  @Test
  void aTimezoneIsHonoured() {
    alarm("t", new JsonObject().put("cron", "0 9 * * *").put("timezone", "America/New_York"));
    assertThat(nextFire("t")).isEqualTo(Instant.parse("2030-01-01T14:00:00Z")); // 09:00 EST
    at("2030-01-01T09:00:05Z");
    runDue();
    assertThat(events("t")).isZero();
    at("2030-01-01T14:00:01Z");
    runDueUntil("t", 1);
    awaitFires("t", 1);
    assertThat(listed("t").getJsonObject(0).getJsonObject("payload").getString("scheduledAt"))
        .isEqualTo("2030-01-01T14:00:00Z");
    assertThat(nextFire("t")).isEqualTo(Instant.parse("2030-01-02T14:00:00Z"));
  }

  @Test
  void spreadSecDelaysEachFeedByItsOwnOffsetWithinTheSpread() {
    alarm("t", new JsonObject().put("cron", "* * * * *").put("spreadSec", 30));
    Instant next = nextFire("t");
    assertThat(next).isBetween(Instant.parse("2030-01-01T00:01:00Z"), Instant.parse("2030-01-01T00:01:29.999Z"));
    clock.set(next.minusMillis(1));
    runDue();
    assertThat(events("t")).isZero();
    clock.set(next);
    runDueUntil("t", 1);
    assertThat(listed("t").getJsonObject(0).getJsonObject("payload").getString("scheduledAt"))
        .isEqualTo("2030-01-01T00:01:00Z");
    assertThat(nextFire("t")).isEqualTo(next.plusSeconds(60));
  }

  @Test
  void strictFalseFiresOnTheSecondThePackageDerivesFromTheTriggerName() {
    alarm("nightly", new JsonObject().put("cron", "* * * * *").put("strict", false));
    alarm("t", new JsonObject().put("cron", "* * * * *"));
    assertThat(api.read("guest", "nightly").json().getJsonObject("config").getBoolean("strict")).isFalse();
    assertThat(api.read("guest", "t").json().getJsonObject("config").getBoolean("strict")).isTrue();
    assertThat(nextFire("nightly")).isEqualTo(Instant.parse("2030-01-01T00:01:09Z")); // "nightly" hashes to 9
    assertThat(nextFire("t")).isEqualTo(Instant.parse("2030-01-01T00:01:00Z"));
    at("2030-01-01T00:01:09Z");
    runDueUntil("nightly", 1);
    assertThat(listed("nightly").getJsonObject(0).getJsonObject("payload").getString("scheduledAt"))
        .isEqualTo("2030-01-01T00:01:09Z");
    assertThat(nextFire("nightly")).isEqualTo(Instant.parse("2030-01-01T00:02:09Z"));
  }

  @Test
  void anIntervalWithoutStartDateFirstFiresThirtySecondsAfterCreationAsThePackage() {
    alarm("t", new JsonObject().put("minutes", 5));
    assertThat(api.read("guest", "t").json().getJsonObject("config").getString("startDate"))
        .isEqualTo(T0.plusSeconds(30).toString());
    at("2030-01-01T00:00:59Z");
    runDue();
    assertThat(events("t")).isZero();
    at("2030-01-01T00:01:01Z");
    runDueUntil("t", 1);
    at("2030-01-01T00:06:01Z");
    runDueUntil("t", 2);
    awaitFires("t", 2);
    assertThat(listed("t").stream().map(e -> ((JsonObject) e).getJsonObject("payload").getString("scheduledAt")))
        .containsExactly("2030-01-01T00:06:00Z", "2030-01-01T00:01:00Z");
  }

  @Test
  void aPausedFeedSkipsItsInstantsAndResumesAfterUnpause() {
    alarm("t", new JsonObject().put("cron", "* * * * *"));
    api.pause("guest", "t");
    at("2030-01-01T00:01:00Z");
    runDue();
    at("2030-01-01T00:02:00Z");
    runDue();
    assertThat(events("t")).isZero();
    assertThat(nextFire("t")).isEqualTo(Instant.parse("2030-01-01T00:03:00Z"));
    api.unpause("guest", "t");
    at("2030-01-01T00:03:00Z");
    runDueUntil("t", 1);
    awaitFires("t", 1);
  }

  // ---- end conditions

  @Test
  void stopDateEndsTheScheduleAfterItsLastFire() {
    alarm("t", new JsonObject().put("cron", "* * * * *").put("stopDate", "2030-01-01T00:03:00Z"));
    for (int minute = 1; minute <= 3; minute++) {
      at("2030-01-01T00:0" + minute + ":00Z");
      runDueUntil("t", minute);
    }
    awaitFires("t", 3);
    awaitDisabled("t", "Automatically disabled after firing last scheduled cron trigger");
    at("2030-01-01T00:04:00Z");
    runDue();
    assertThat(events("t")).isEqualTo(3);
    assertThat(openwhisk.fires("guest", "t")).hasSize(3);
  }

  @Test
  void maxTriggersDisablesTheFeedAfterItsLastAllowedFire() {
    alarm("t", new JsonObject().put("cron", "* * * * *").put("maxTriggers", 2));
    at("2030-01-01T00:01:00Z");
    runDueUntil("t", 1);
    awaitFires("t", 1);
    at("2030-01-01T00:02:00Z");
    runDueUntil("t", 2);
    awaitFires("t", 2);
    awaitDisabled("t", "Automatically disabled after reaching max triggers");
    for (int minute = 3; minute <= 4; minute++) {
      at("2030-01-01T00:0" + minute + ":00Z");
      runDue();
    }
    assertThat(events("t")).isEqualTo(2);
    assertThat(openwhisk.fires("guest", "t")).hasSize(2);
    assertThat(api.read("guest", "t").json().getJsonObject("stats").getLong("fires")).isEqualTo(2);
  }

  @Test
  void onceWithoutDeleteAfterFireFiresOnceAndIsDisabled() {
    alarm("t", new JsonObject().put("date", "2030-01-01T00:10:00Z").put("trigger_payload", "hello"));
    at("2030-01-01T00:10:00.050Z");
    try (LogCapture logs = new LogCapture()) {
      runDueUntil("t", 1);
      awaitFires("t", 1);
      assertThat(openwhisk.fires("guest", "t").get(0).json()).isEqualTo(new JsonObject().put("payload", "hello"));
      awaitDisabled("t", "Automatically disabled after firing once");
      assertThat(deletions()).isEmpty();
      // the disable is logged with the feed's name, as every feed.* line is
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.text().contains("\"feed.disabled\""));
      assertThat(logs.text().lines().map(JsonObject::new).filter(l -> "feed.disabled".equals(l.getString("event"))))
          .singleElement().satisfies(l -> assertThat(l.getString("feed")).isEqualTo("/guest/t"));
    }
  }

  @Test
  void onceWithDeleteAfterFireDeletesTheTriggerAndTheFeedAfterTheFire() {
    alarm("t", new JsonObject().put("date", "2030-01-01T00:10:00Z").put("deleteAfterFire", true));
    at("2030-01-01T00:10:00Z"); // fire, delivery and deletion may all happen before runDue reads a count
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      runDue();
      return db.queryLong("SELECT count(*) FROM whiskfeed.feeds") == 0;
    });
    List<Recorded> deletions = deletions();
    assertThat(deletions).extracting(Recorded::path).containsExactly("/api/v1/namespaces/guest/triggers/t");
    assertThat(deletions.get(0).authKey()).isEqualTo(KEY);
    Recorded fire = openwhisk.fires("guest", "t").get(0);
    assertThat(deletions.get(0).receivedAt()).isAfterOrEqualTo(fire.answeredAt());
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.alarm_schedules")).isZero();
  }

  @Test
  void onceWithDeleteAfterFireRulesDeletesEachRuleThenTheTrigger() {
    openwhisk.rules("guest", "t", "r1", "r2");
    alarm("t", new JsonObject().put("date", "2030-01-01T00:10:00Z").put("deleteAfterFire", "rules"));
    at("2030-01-01T00:10:00Z"); // fire, delivery and deletion may all happen before runDue reads a count
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      runDue();
      return db.queryLong("SELECT count(*) FROM whiskfeed.feeds") == 0;
    });
    Recorded fire = openwhisk.fires("guest", "t").get(0);
    List<String> after = openwhisk.requests().stream().filter(r -> !r.isFire())
        .filter(r -> !r.receivedAt().isBefore(fire.answeredAt()))
        .map(r -> r.method() + " " + r.path()).toList();
    assertThat(after).containsExactly(
        "GET /api/v1/namespaces/guest/triggers/t",
        "DELETE /api/v1/namespaces/guest/rules/r1",
        "DELETE /api/v1/namespaces/guest/rules/r2",
        "DELETE /api/v1/namespaces/guest/triggers/t");
  }

  // ---- downtime

  @Test
  void aRestartAfterMissedInstantsFiresOnceLateOrSkipsWithoutCatchUp() throws Exception {
    alarm("late", new JsonObject().put("cron", "* * * * *"));
    alarm("skip", new JsonObject().put("cron", "* * * * *").put("catchUp", false));
    provider.close();
    provider = null;
    at("2030-01-01T00:05:10Z"); // 00:01 … 00:05 passed while no instance ran
    startProvider();
    runDueUntil("late", 1);
    awaitFires("late", 1);
    JsonObject payload = listed("late").getJsonObject(0).getJsonObject("payload");
    assertThat(payload.getString("scheduledAt")).isEqualTo("2030-01-01T00:01:00Z");
    assertThat(payload.getBoolean("late")).isTrue();
    assertThat(payload.getLong("lateBySec")).isEqualTo(250);
    assertThat(events("skip")).isZero();
    assertThat(nextFire("late")).isEqualTo(Instant.parse("2030-01-01T00:06:00Z"));
    assertThat(nextFire("skip")).isEqualTo(Instant.parse("2030-01-01T00:06:00Z"));

    at("2030-01-01T00:06:00.100Z");
    runDueUntil("late", 2);
    runDueUntil("skip", 1);
    assertThat(listed("skip").getJsonObject(0).getJsonObject("payload").getBoolean("late")).isFalse();
    awaitFires("skip", 1);
    awaitFires("late", 2);
  }

  // ---- validation (API.md: the alarms package's messages, 400, nothing stored)

  @Test
  void eachInvalidParameterIsA400WithTheAlarmsPackageMessage() {
    JsonObject cron = new JsonObject().put("kind", "alarm").put("cron", "* * * * *");
    assertError(api.create("guest", "t", new JsonObject().put("kind", "alarm").put("cron", "***")),
        "cron pattern '***' is not valid");
    assertError(api.create("guest", "t", cron.copy().put("timezone", "Mars/Olympus")), "Invalid timezone.");
    assertError(api.create("guest", "t", new JsonObject().put("kind", "alarm").put("date", "2029-12-31T00:00:00Z")),
        "date parameter '2029-12-31T00:00:00Z' must be in the future");
    assertError(api.create("guest", "t", cron.copy().put("startDate", "2030-02-01T00:00:00Z")
            .put("stopDate", "2030-01-15T00:00:00Z")),
        "stopDate parameter '2030-01-15T00:00:00Z' must be greater than the startDate parameter '2030-02-01T00:00:00Z'");
    assertError(api.create("guest", "t", cron.copy().put("stopDate", "2030-02-01T00:00:00Z").put("maxTriggers", 3)),
        "maxTriggers is not allowed when the stopDate parameter is specified");
    assertError(api.create("guest", "t", new JsonObject().put("kind", "alarm").put("date", "2030-02-01T00:00:00Z")
        .put("deleteAfterFire", "sometimes")), "deleteAfterFire parameter must be one of [false, true, rules].");
    assertError(api.create("guest", "t", new JsonObject().put("kind", "alarm").put("minutes", "5")),
        "the minutes parameter must be an integer");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();

    alarm("t", new JsonObject().put("cron", "*/5 * * * *").put("maxTriggers", 3));
    assertError(api.update("guest", "t", new JsonObject()), "no updatable parameters were specified");
    assertError(api.update("guest", "t", new JsonObject().put("cron", "***")), "cron pattern '***' is not valid");
    assertError(api.update("guest", "t", new JsonObject().put("stopDate", "2030-02-01T00:00:00Z")),
        "maxTriggers is not allowed when the stopDate parameter is specified");
    JsonObject config = api.read("guest", "t").json().getJsonObject("config");
    assertThat(config.getString("cron")).isEqualTo("*/5 * * * *");
    assertThat(config.containsKey("stopDate")).isFalse();
    assertThat(nextFire("t")).isEqualTo(Instant.parse("2030-01-01T00:05:00Z"));
  }

  @Test
  void anUpdateReplacesTheScheduleAndAPayloadChangeKeepsTheNextInstant() {
    alarm("t", new JsonObject().put("cron", "*/5 * * * *"));
    Api.Response updated = api.update("guest", "t", new JsonObject().put("minutes", 2));
    assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    JsonObject config = updated.json().getJsonObject("feed").getJsonObject("config");
    assertThat(config.containsKey("cron")).isFalse();
    assertThat(config.getInteger("minutes")).isEqualTo(2);
    assertThat(nextFire("t")).isEqualTo(T0.plusSeconds(30)); // a new interval starts 30 s after the UPDATE
    db.execute("UPDATE whiskfeed.alarm_schedules SET next_fire = next_fire - interval '1 second'");
    assertThat(api.update("guest", "t", new JsonObject().put("trigger_payload", new JsonObject().put("v", 2)))
        .status()).isEqualTo(200);
    assertThat(nextFire("t")).isEqualTo(T0.plusSeconds(29)); // untouched: same timing
    at("2030-01-01T00:01:30Z");
    runDueUntil("t", 1);
    awaitFires("t", 1);
    assertThat(openwhisk.fires("guest", "t").get(0).json()).isEqualTo(new JsonObject().put("v", 2));
    assertThat(api.delete("guest", "t").status()).isEqualTo(200);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.alarm_schedules")).isZero();
  }
}
