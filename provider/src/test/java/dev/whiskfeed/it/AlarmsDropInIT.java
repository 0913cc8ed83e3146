package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.whiskfeed.actions.AlarmFeed;
import dev.whiskfeed.actions.IntervalFeed;
import dev.whiskfeed.actions.OnceFeed;
import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The "drop-in" table of docs/alarms.md: the parameter sets the OpenWhisk alarms package documents
 * (its README's examples), given to whiskfeed's alarm, interval and once actions as OpenWhisk
 * would, against the real provider; each row's READ and each wrong set's message.
 */
@ExtendWith(PgExtension.class)
class AlarmsDropInIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:dropInKey";

  private Vertx vertx;
  private StandInOpenWhisk openwhisk;
  private Provider provider;
  private String url;
  // whole seconds in the future, so that epoch-millisecond and ISO forms name the same instants
  private final Instant start = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
  private final Instant stop = start.plus(30, ChronoUnit.DAYS);

  @BeforeEach
  void start(TestPostgres pg) throws Exception {
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
    provider = TestProvider.start(pg.newDatabase("dropin"), openwhisk.url());
    openwhisk.registerKey("guest", KEY);
    url = "http://127.0.0.1:" + provider.port();
  }

  @AfterEach
  void stop() throws Exception {
    provider.close();
    openwhisk.close();
    vertx.close();
  }

  private JsonObject call(UnaryOperator<JsonObject> action, String event, String trigger, String params) {
    JsonObject args = JsonParser.parseString(params).getAsJsonObject();
    args.addProperty("providerUrl", url);
    args.addProperty("lifecycleEvent", event);
    args.addProperty("triggerName", "/guest/" + trigger);
    args.addProperty("authKey", KEY);
    return action.apply(args);
  }

  /** CREATE with the package's parameters, then READ through the same action; answers the config. */
  private JsonObject created(UnaryOperator<JsonObject> action, String trigger, String params) {
    JsonObject created = call(action, "CREATE", trigger, params);
    assertThat(created.has("error")).as(created.toString()).isFalse();
    JsonObject read = call(action, "READ", trigger, "{}");
    assertThat(read.get("trigger").getAsString()).isEqualTo("/guest/" + trigger);
    assertThat(read.getAsJsonObject("status").get("active").getAsBoolean()).isTrue();
    return read.getAsJsonObject("config");
  }

  private String error(UnaryOperator<JsonObject> action, String params) {
    JsonObject answer = call(action, "CREATE", "refused", params);
    assertThat(answer.has("error")).as(answer.toString()).isTrue();
    return answer.get("error").getAsString();
  }

  @Test
  void alarmWithCronStartDateStopDateAndAStringPayload() {
    JsonObject config = created(AlarmFeed::main, "periodic", "{\"cron\":\"*/2 * * * *\","
        + "\"trigger_payload\":\"alarmTest\",\"startDate\":" + start.toEpochMilli() + ",\"stopDate\":\"" + stop + "\"}");
    assertThat(config.get("cron").getAsString()).isEqualTo("*/2 * * * *");
    assertThat(config.get("timezone").getAsString()).isEqualTo("UTC");
    assertThat(config.get("strict").getAsBoolean()).isTrue();
    assertThat(config.get("startDate").getAsString()).isEqualTo(start.toString());
    assertThat(config.get("stopDate").getAsString()).isEqualTo(stop.toString());
    assertThat(config.getAsJsonObject("trigger_payload").get("payload").getAsString()).isEqualTo("alarmTest");
  }

  @Test
  void alarmWithTimezoneAndStrictFalse() {
    JsonObject config = created(AlarmFeed::main, "nightly",
        "{\"cron\":\"0 2 * * *\",\"timezone\":\"Europe/Berlin\",\"strict\":\"false\","
            + "\"trigger_payload\":{\"name\":\"Odin\",\"place\":\"Asgard\"}}");
    assertThat(config.get("timezone").getAsString()).isEqualTo("Europe/Berlin");
    assertThat(config.get("strict").getAsBoolean()).isFalse();
    assertThat(config.getAsJsonObject("trigger_payload").get("place").getAsString()).isEqualTo("Asgard");
  }

  @Test
  void intervalWithMinutesStartDateAndStopDate() {
    JsonObject config = created(IntervalFeed::main, "interval", "{\"minutes\":2,\"startDate\":\"" + start
        + "\",\"stopDate\":" + stop.toEpochMilli() + ",\"trigger_payload\":{\"name\":\"Odin\"}}");
    assertThat(config.get("minutes").getAsInt()).isEqualTo(2);
    assertThat(config.get("startDate").getAsString()).isEqualTo(start.toString());
    assertThat(config.get("stopDate").getAsString()).isEqualTo(stop.toString());
  }

  @Test
  void intervalWithMinutesOnlyStartsThirtySecondsAfterTheCreate() {
    Instant before = Instant.now();
    JsonObject config = created(IntervalFeed::main, "every2", "{\"minutes\":2}");
    Instant after = Instant.now();
    assertThat(Instant.parse(config.get("startDate").getAsString()))
        .isBetween(before.plusSeconds(30).truncatedTo(ChronoUnit.MILLIS), after.plusSeconds(30));
  }

  @Test
  void onceWithDateDeleteAfterFireAndPayload() {
    JsonObject config = created(OnceFeed::main, "fireOnce", "{\"date\":\"" + start
        + "\",\"deleteAfterFire\":\"rules\",\"trigger_payload\":{\"name\":\"Odin\"}}");
    assertThat(config.get("date").getAsString()).isEqualTo(start.toString());
    assertThat(config.get("deleteAfterFire").getAsString()).isEqualTo("rules");
    assertThat(config.getAsJsonObject("trigger_payload").get("name").getAsString()).isEqualTo("Odin");
  }

  @Test
  void wrongParameterSetsAnswerThePackagesMessages() {
    assertThat(error(AlarmFeed::main, "{\"trigger_payload\":\"alarmTest\"}"))
        .isEqualTo("alarms trigger feed is missing the cron parameter");
    assertThat(error(IntervalFeed::main, "{\"startDate\":\"" + start + "\"}"))
        .isEqualTo("interval trigger feed is missing the minutes parameter");
    assertThat(error(OnceFeed::main, "{\"deleteAfterFire\":\"true\"}"))
        .isEqualTo("alarms once trigger feed is missing the date parameter");
    assertThat(error(AlarmFeed::main, "{\"cron\":\"***\"}")).isEqualTo("cron pattern '***' is not valid");
    assertThat(error(AlarmFeed::main, "{\"cron\":\"* * * * *\",\"timezone\":\"Mars/Olympus\"}"))
        .isEqualTo("Invalid timezone.");
    assertThat(error(AlarmFeed::main, "{\"cron\":\"* * * * *\",\"maxTriggers\":3,\"stopDate\":\"" + stop + "\"}"))
        .isEqualTo("maxTriggers is not allowed when the stopDate parameter is specified");
    assertThat(error(IntervalFeed::main, "{\"minutes\":2,\"maxTriggers\":3,\"stopDate\":\"" + stop + "\"}"))
        .isEqualTo("maxTriggers is not supported for the interval trigger feed");
    assertThat(error(IntervalFeed::main, "{\"minutes\":0.5}")).isEqualTo("the minutes parameter must be an integer");
    assertThat(error(IntervalFeed::main, "{\"minutes\":-1}"))
        .isEqualTo("the minutes parameter must be an integer greater than zero");
    assertThat(error(OnceFeed::main, "{\"date\":\"2020-01-01T00:00:00Z\"}"))
        .isEqualTo("date parameter '2020-01-01T00:00:00Z' must be in the future");
    assertThat(error(OnceFeed::main, "{\"date\":\"" + start + "\",\"deleteAfterFire\":\"sometimes\"}"))
        .isEqualTo("deleteAfterFire parameter must be one of [false, true, rules].");
    assertThat(error(AlarmFeed::main, "{\"cron\":\"* * * * *\",\"startDate\":\"" + stop + "\",\"stopDate\":\"" + start + "\"}"))
        .isEqualTo("stopDate parameter '" + start + "' must be greater than the startDate parameter '" + stop + "'");
    assertThat(error(AlarmFeed::main, "{\"cron\":\"* * * * *\",\"strict\":\"yes\"}"))
        .isEqualTo("strict parameter must be true or false");
    assertThat(error(IntervalFeed::main, "{\"cron\":\"* * * * *\"}"))
        .isEqualTo("the interval feed does not take the cron parameter: cron belongs to the alarm feed");
    JsonObject read = call(AlarmFeed::main, "READ", "refused", "{}");
    assertThat(read.get("error").getAsString()).isEqualTo("could not find trigger /guest/refused in the database");
  }
}
