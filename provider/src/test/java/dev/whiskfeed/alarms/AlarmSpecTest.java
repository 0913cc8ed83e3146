package dev.whiskfeed.alarms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AlarmSpecTest {
  private static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");

  private static AlarmSpec parse(String json) {
    return AlarmSpec.parse(new JsonObject(json), NOW, "t");
  }

  private static List<Instant> fires(AlarmSpec spec, Instant from, int n) {
    List<Instant> out = new ArrayList<>();
    Optional<Instant> next = spec.firstFire(from);
    while (next.isPresent() && out.size() < n) {
      out.add(next.get());
      next = spec.schedule().nextAfter(next.get());
    }
    return out;
  }

  static Stream<Arguments> invalidParameters() {
    return Stream.of(
        Arguments.of("{}", "exactly one of the cron, minutes or date parameters must be specified"),
        Arguments.of("{\"cron\":null,\"maxTriggers\":3}", "exactly one of the cron, minutes or date parameters must be specified"),
        Arguments.of("{\"cron\":\"* * * * *\",\"minutes\":5}", "exactly one of the cron, minutes or date parameters must be specified"),
        Arguments.of("{\"minutes\":5,\"date\":\"2026-11-22T06:00:00Z\"}", "exactly one of the cron, minutes or date parameters must be specified"),
        Arguments.of("{\"cron\":\"* * *\"}", "cron pattern '* * *' is not valid"),
        Arguments.of("{\"cron\":\"* * * * * * *\"}", "cron pattern '* * * * * * *' is not valid"),
        Arguments.of("{\"cron\":\"61 * * * *\"}", "cron pattern '61 * * * *' is not valid"),
        Arguments.of("{\"cron\":\"0 0 ? * *\"}", "cron pattern '0 0 ? * *' is not valid"),
        Arguments.of("{\"cron\":\"\"}", "cron pattern '' is not valid"),
        Arguments.of("{\"cron\":42}", "cron pattern '42' is not valid"),
        Arguments.of("{\"cron\":[\"*\"]}", "cron pattern '[\"*\"]' is not valid"),
        Arguments.of("{\"cron\":\"* * * * *\",\"timezone\":\"Mars/Olympus\"}", "Invalid timezone."),
        Arguments.of("{\"cron\":\"* * * * *\",\"timezone\":\"+02:00\"}", "Invalid timezone."),
        Arguments.of("{\"cron\":\"* * * * *\",\"timezone\":\"\"}", "Invalid timezone."),
        Arguments.of("{\"cron\":\"* * * * *\",\"timezone\":1}", "Invalid timezone."),
        Arguments.of("{\"minutes\":\"5\"}", "the minutes parameter must be an integer"),
        Arguments.of("{\"minutes\":1.5}", "the minutes parameter must be an integer"),
        Arguments.of("{\"minutes\":true}", "the minutes parameter must be an integer"),
        Arguments.of("{\"minutes\":0}", "the minutes parameter must be an integer greater than zero"),
        Arguments.of("{\"minutes\":-3}", "the minutes parameter must be an integer greater than zero"),
        Arguments.of("{\"date\":\"tomorrow\"}", "date parameter 'tomorrow' is not a valid Date"),
        Arguments.of("{\"date\":\"2026-13-01T00:00:00Z\"}", "date parameter '2026-13-01T00:00:00Z' is not a valid Date"),
        Arguments.of("{\"date\":true}", "date parameter 'true' is not a valid Date"),
        Arguments.of("{\"date\":1.5}", "date parameter '1.5' is not a valid Date"),
        Arguments.of("{\"date\":\"99999999999999999999\"}", "date parameter '99999999999999999999' is not a valid Date"),
        Arguments.of("{\"date\":\"2020-01-01T00:00:00Z\"}", "date parameter '2020-01-01T00:00:00Z' must be in the future"),
        Arguments.of("{\"date\":1768478400000}", "date parameter '1768478400000' must be in the future"), // == NOW
        Arguments.of("{\"cron\":\"* * * * *\",\"startDate\":\"x\"}", "startDate parameter 'x' is not a valid Date"),
        Arguments.of("{\"minutes\":5,\"startDate\":{}}", "startDate parameter '{}' is not a valid Date"),
        Arguments.of("{\"cron\":\"* * * * *\",\"stopDate\":\"x\"}", "stopDate parameter 'x' is not a valid Date"),
        Arguments.of("{\"cron\":\"* * * * *\",\"startDate\":\"2026-02-01T00:00:00Z\",\"stopDate\":\"2026-01-20T00:00:00Z\"}",
            "stopDate parameter '2026-01-20T00:00:00Z' must be greater than the startDate parameter '2026-02-01T00:00:00Z'"),
        Arguments.of("{\"minutes\":5,\"startDate\":1769904000000,\"stopDate\":1769904000000}",
            "stopDate parameter '1769904000000' must be greater than the startDate parameter '1769904000000'"),
        Arguments.of("{\"cron\":\"* * * * *\",\"stopDate\":\"2026-01-15T11:00:00Z\"}",
            "stopDate parameter '2026-01-15T11:00:00Z' must be in the future"),
        Arguments.of("{\"minutes\":5,\"stopDate\":\"2026-02-01T00:00:00Z\",\"maxTriggers\":10}",
            "maxTriggers is not supported for the interval trigger feed"),
        Arguments.of("{\"cron\":\"* * * * *\",\"stopDate\":\"2026-02-01T00:00:00Z\",\"maxTriggers\":\"-1\"}",
            "maxTriggers is not allowed when the stopDate parameter is specified"),
        Arguments.of("{\"date\":\"2026-11-22T06:00:00Z\",\"deleteAfterFire\":\"yes\"}", "deleteAfterFire parameter must be one of [false, true, rules]."),
        Arguments.of("{\"date\":\"2026-11-22T06:00:00Z\",\"deleteAfterFire\":1}", "deleteAfterFire parameter must be one of [false, true, rules]."),
        Arguments.of("{\"cron\":\"* * * * *\",\"deleteAfterFire\":\"never\"}", "deleteAfterFire parameter must be one of [false, true, rules]."),
        Arguments.of("{\"cron\":\"* * * * *\",\"catchUp\":\"true\"}", "catchUp parameter must be a boolean"),
        Arguments.of("{\"cron\":\"* * * * *\",\"catchUp\":1}", "catchUp parameter must be a boolean"),
        Arguments.of("{\"cron\":\"* * * * *\",\"spreadSec\":-1}", "spreadSec parameter must be an integer between 0 and 3600"),
        Arguments.of("{\"cron\":\"* * * * *\",\"spreadSec\":3601}", "spreadSec parameter must be an integer between 0 and 3600"),
        Arguments.of("{\"cron\":\"* * * * *\",\"spreadSec\":\"10\"}", "spreadSec parameter must be an integer between 0 and 3600"),
        Arguments.of("{\"cron\":\"* * * * *\",\"spreadSec\":2.5}", "spreadSec parameter must be an integer between 0 and 3600"),
        Arguments.of("{\"cron\":\"* * * * *\",\"trigger_payload\":[1]}", "trigger_payload parameter must be an object or a string"),
        Arguments.of("{\"cron\":\"* * * * *\",\"trigger_payload\":5}", "trigger_payload parameter must be an object or a string"));
  }

  @ParameterizedTest(name = "{1} <- {0}")
  @MethodSource("invalidParameters")
  void rejectsWithTheAlarmsPackageMessage(String params, String message) {
    assertThatThrownBy(() -> parse(params))
        .isInstanceOfSatisfying(WhiskfeedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER))
        .hasMessage(message);
  }

  static Stream<Arguments> dateFormats() {
    return Stream.of(
        Arguments.of("1795327200000", null, "2026-11-22T06:00:00Z"),
        Arguments.of("1.7953272E12", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\"1795327200000\"", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\" 1795327200000 \"", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T06:00:00Z\"", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T06:00:00.123Z\"", null, "2026-11-22T06:00:00.123Z"),
        Arguments.of("\"2026-11-22T07:30:00+01:30\"", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T01:00:00-05:00\"", "Europe/Berlin", "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T07:00:00+01:00[Europe/Berlin]\"", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T06:00:00\"", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T06:00\"", null, "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T01:00:00\"", "America/New_York", "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22T07:00:00\"", "Europe/Berlin", "2026-11-22T06:00:00Z"),
        Arguments.of("\"2026-11-22\"", null, "2026-11-22T00:00:00Z"),
        Arguments.of("\"2026-11-22\"", "Europe/Berlin", "2026-11-21T23:00:00Z"));
  }

  @ParameterizedTest(name = "{0} in {1} -> {2}")
  @MethodSource("dateFormats")
  void acceptsEveryDateFormat(String date, String timezone, String expected) {
    JsonObject tz = timezone == null ? new JsonObject() : new JsonObject().put("timezone", timezone);
    AlarmSpec once = AlarmSpec.parse(new JsonObject("{\"date\":" + date + "}").mergeIn(tz), NOW, "t");
    assertThat(once.schedule()).isEqualTo(new Schedule.Once(Instant.parse(expected)));

    AlarmSpec interval = AlarmSpec.parse(new JsonObject("{\"minutes\":1,\"startDate\":" + date + "}").mergeIn(tz), NOW, "t");
    assertThat(((Schedule.Interval) interval.schedule()).anchor()).isEqualTo(Instant.parse(expected));
  }

  @Nested
  class TriggerPayload {
    @Test
    void anObjectIsSentAsIs() {
      JsonObject payload = new JsonObject().put("name", "Odin").put("n", new JsonObject().put("x", 1));
      AlarmSpec spec = AlarmSpec.parse(new JsonObject().put("cron", "* * * * *").put("trigger_payload", payload), NOW, "t");
      assertThat(spec.triggerPayload()).isEqualTo(payload);
      payload.put("name", "changed later");
      assertThat(spec.triggerPayload().getString("name")).isEqualTo("Odin");
    }

    @Test
    void aStringIsWrapped() {
      assertThat(parse("{\"cron\":\"* * * * *\",\"trigger_payload\":\"hello\"}").triggerPayload())
          .isEqualTo(new JsonObject().put("payload", "hello"));
    }

    @Test
    void absentOrNullIsEmpty() {
      assertThat(parse("{\"cron\":\"* * * * *\"}").triggerPayload()).isEqualTo(new JsonObject());
      assertThat(parse("{\"cron\":\"* * * * *\",\"trigger_payload\":null}").triggerPayload()).isEqualTo(new JsonObject());
    }
  }

  @Nested
  class Options {
    @Test
    void defaults() {
      AlarmSpec spec = parse("{\"cron\":\"* * * * *\"}");
      assertThat(spec.deleteAfterFire()).isEqualTo("false");
      assertThat(spec.catchUp()).isTrue();
      assertThat(spec.spreadSec()).isZero();
      assertThat(spec.schedule()).isEqualTo(new Schedule.Cron("* * * * *", ZoneId.of("UTC"), null, null));
    }

    @Test
    void deleteAfterFireAcceptsBooleansAndNamesInAnyCase() {
      String date = "{\"date\":\"2026-11-22T06:00:00Z\",\"deleteAfterFire\":";
      assertThat(parse(date + "true}").deleteAfterFire()).isEqualTo("true");
      assertThat(parse(date + "false}").deleteAfterFire()).isEqualTo("false");
      assertThat(parse(date + "\"TRUE\"}").deleteAfterFire()).isEqualTo("true");
      assertThat(parse(date + "\"Rules\"}").deleteAfterFire()).isEqualTo("rules");
      assertThat(parse(date + "\"false\"}").deleteAfterFire()).isEqualTo("false");
    }

    @Test
    void deleteAfterFireMeansNothingForRecurringSchedules() {
      assertThat(parse("{\"cron\":\"* * * * *\",\"deleteAfterFire\":\"rules\"}").deleteAfterFire()).isEqualTo("false");
    }

    @Test
    void catchUpAndSpread() {
      AlarmSpec spec = parse("{\"minutes\":5,\"catchUp\":false,\"spreadSec\":3600}");
      assertThat(spec.catchUp()).isFalse();
      assertThat(spec.spreadSec()).isEqualTo(3600);
      assertThat(parse("{\"minutes\":5,\"spreadSec\":30.0}").spreadSec()).isEqualTo(30);
    }

    @Test
    void otherFeedParametersAreTolerated() {
      AlarmSpec spec = parse("{\"cron\":\"* * * * *\",\"maxTriggers\":5,\"maxRetries\":3,\"batchSize\":1,\"unknown\":\"x\"}");
      assertThat(spec.schedule()).isInstanceOf(Schedule.Cron.class);
      assertThat(parse("{\"cron\":\"* * * * *\",\"stopDate\":\"2026-02-01T00:00:00Z\",\"maxTriggers\":-1}").schedule())
          .isInstanceOf(Schedule.Cron.class);
    }
  }

  @Nested
  class Schedules {
    @Test
    void cronWithFiveFields() {
      assertThat(parse("{\"cron\":\"*/15 * * * *\"}").firstFire(NOW)).contains(Instant.parse("2026-01-15T12:15:00Z"));
    }

    @Test
    void cronWithSixFields() {
      assertThat(fires(parse("{\"cron\":\"*/10 * * * * *\"}"), NOW, 3)).containsExactly(
          Instant.parse("2026-01-15T12:00:10Z"), Instant.parse("2026-01-15T12:00:20Z"), Instant.parse("2026-01-15T12:00:30Z"));
    }

    @Test
    void timezoneIsHonoured() {
      AlarmSpec spec = parse("{\"cron\":\"0 9 * * *\",\"timezone\":\"America/New_York\"}");
      assertThat(spec.firstFire(NOW)).contains(Instant.parse("2026-01-15T14:00:00Z"));
    }

    @Test
    void cronRespectsStartAndStop() {
      AlarmSpec spec = parse("{\"cron\":\"0 0 * * *\",\"startDate\":\"2026-03-01T00:00:00Z\",\"stopDate\":\"2026-03-03T00:00:00Z\"}");
      assertThat(fires(spec, NOW, 10)).containsExactly(
          Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-03T00:00:00Z"));
    }

    @Test
    void anIntervalWithoutStartDateFirstFiresThirtySecondsAfterCreation() {
      AlarmSpec spec = parse("{\"minutes\":30}");
      assertThat(spec.schedule()).isEqualTo(new Schedule.Interval(30, NOW.plusSeconds(30), null));
      assertThat(fires(spec, NOW, 2)).containsExactly(Instant.parse("2026-01-15T12:00:30Z"), Instant.parse("2026-01-15T12:30:30Z"));
    }

    @Test
    void anIntervalWithStartDateIsAnchoredThere() {
      AlarmSpec spec = parse("{\"minutes\":60,\"startDate\":\"2026-01-10T00:20:00Z\"}");
      assertThat(spec.firstFire(NOW)).contains(Instant.parse("2026-01-15T12:20:00Z"));
      AlarmSpec future = parse("{\"minutes\":60,\"startDate\":\"2026-02-01T00:00:00Z\"}");
      assertThat(future.firstFire(NOW)).contains(Instant.parse("2026-02-01T00:00:00Z"));
    }

    @Test
    void stopDateEndsAnIntervalAndAnInstantOnItStillFires() {
      AlarmSpec spec = parse("{\"minutes\":60,\"startDate\":\"2026-01-15T13:00:00Z\",\"stopDate\":\"2026-01-15T15:00:00Z\"}");
      assertThat(fires(spec, NOW, 10)).containsExactly(
          Instant.parse("2026-01-15T13:00:00Z"), Instant.parse("2026-01-15T14:00:00Z"), Instant.parse("2026-01-15T15:00:00Z"));
    }

    @Test
    void onceFiresAtItsDate() {
      AlarmSpec spec = parse("{\"date\":\"2026-11-22T06:00:00Z\"}");
      assertThat(fires(spec, NOW, 5)).containsExactly(Instant.parse("2026-11-22T06:00:00Z"));
    }

    @Test
    void onceIgnoresStartAndStop() {
      AlarmSpec spec = parse("{\"date\":\"2026-11-22T06:00:00Z\",\"stopDate\":\"x\",\"maxTriggers\":1}");
      assertThat(spec.schedule()).isEqualTo(new Schedule.Once(Instant.parse("2026-11-22T06:00:00Z")));
    }
  }

  /** {@code strict}: the alarms package's per-trigger second for five-field crons. */
  @Nested
  class Strict {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
      // the package's provider hash evaluated in node for the same names, modulo ALARM_DELAY_LIMIT=59 + 1
      "periodic28, 57",
      "nightly, 9",
      "every5, 38",
      "report, 8",
      "a, 37",
      "very-long-trigger-name-with-many-characters-to-overflow-int32-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, 33",
    })
    void theDelayIsThePackagesHashOfTheTriggerName(String trigger, int expected) {
      assertThat(AlarmParameters.strictDelaySec("*/5 * * * *", trigger)).isEqualTo(expected);
    }

    @Test
    void strictFalseFiresOnTheTriggersSecondOfEachInstant() {
      AlarmSpec spec = AlarmSpec.parse(new JsonObject("{\"cron\":\"*/5 * * * *\",\"strict\":false}"), NOW, "nightly");
      assertThat(fires(spec, NOW, 2)).containsExactly(
          Instant.parse("2026-01-15T12:00:09Z"), Instant.parse("2026-01-15T12:05:09Z"));
      assertThat(spec.toConfig().getBoolean("strict")).isFalse();
      assertThat(AlarmSpec.restore(spec.toConfig(), "nightly")).isEqualTo(spec);
    }

    @Test
    void startAndStopApplyToTheDelayedInstants() {
      AlarmSpec spec = AlarmSpec.parse(new JsonObject("{\"cron\":\"0 * * * *\",\"strict\":\"False\","
          + "\"startDate\":\"2026-01-15T13:00:05Z\",\"stopDate\":\"2026-01-15T15:00:09Z\"}"), NOW, "nightly");
      assertThat(fires(spec, NOW, 10)).containsExactly(
          Instant.parse("2026-01-15T13:00:09Z"), Instant.parse("2026-01-15T14:00:09Z"), Instant.parse("2026-01-15T15:00:09Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"cron\":\"*/5 * * * *\"}", "{\"cron\":\"*/5 * * * *\",\"strict\":true}",
        "{\"cron\":\"*/5 * * * *\",\"strict\":\"TRUE\"}", "{\"cron\":\"0 */5 * * * *\",\"strict\":false}"})
    void strictByDefaultAndForCronsWithASecondsField(String params) {
      AlarmSpec spec = AlarmSpec.parse(new JsonObject(params), NOW, "nightly");
      assertThat(spec.firstFire(NOW)).contains(Instant.parse("2026-01-15T12:05:00Z"));
    }

    @Test
    void strictHasNoEffectOnIntervalsAndOnceButIsStillChecked() {
      AlarmSpec interval = AlarmSpec.parse(new JsonObject("{\"minutes\":5,\"strict\":false}"), NOW, "nightly");
      assertThat(interval.firstFire(NOW)).contains(NOW.plusSeconds(30));
      assertThatThrownBy(() -> AlarmSpec.parse(new JsonObject("{\"date\":\"2026-11-22T06:00:00Z\",\"strict\":\"yes\"}"), NOW, "t"))
          .isInstanceOf(WhiskfeedException.class).hasMessage("strict parameter must be true or false");
      assertThatThrownBy(() -> AlarmSpec.parse(new JsonObject("{\"cron\":\"* * * * *\",\"strict\":1}"), NOW, "t"))
          .hasMessage("strict parameter must be true or false");
    }
  }

  @Nested
  class Config {
    @Test
    void cronConfigHoldsTheEffectiveValues() {
      AlarmSpec spec = parse("{\"cron\":\" 0 9 * * 1-5 \",\"timezone\":\"Europe/Berlin\",\"startDate\":1769904000000,"
          + "\"stopDate\":\"2026-12-31T23:00:00+01:00\",\"trigger_payload\":\"hi\",\"maxTriggers\":-1}");
      assertThat(spec.toConfig()).isEqualTo(new JsonObject()
          .put("cron", "0 9 * * 1-5").put("timezone", "Europe/Berlin").put("strict", true)
          .put("startDate", "2026-02-01T00:00:00Z").put("stopDate", "2026-12-31T22:00:00Z")
          .put("trigger_payload", new JsonObject().put("payload", "hi"))
          .put("deleteAfterFire", "false").put("catchUp", true).put("spreadSec", 0));
    }

    @Test
    void intervalConfigStoresItsAnchorAsStartDate() {
      AlarmSpec spec = parse("{\"minutes\":7,\"timezone\":\"Asia/Tokyo\",\"catchUp\":false,\"spreadSec\":12}");
      assertThat(spec.toConfig()).isEqualTo(new JsonObject()
          .put("minutes", 7L).put("timezone", "UTC").put("startDate", "2026-01-15T12:00:30Z")
          .put("trigger_payload", new JsonObject()).put("deleteAfterFire", "false").put("catchUp", false).put("spreadSec", 12));
    }

    @Test
    void onceConfig() {
      AlarmSpec spec = parse("{\"date\":\"2026-11-22T07:00:00+01:00\",\"deleteAfterFire\":\"RULES\",\"trigger_payload\":{\"a\":1}}");
      assertThat(spec.toConfig()).isEqualTo(new JsonObject()
          .put("date", "2026-11-22T06:00:00Z").put("timezone", "UTC")
          .put("trigger_payload", new JsonObject().put("a", 1)).put("deleteAfterFire", "rules").put("catchUp", true).put("spreadSec", 0));
    }

    @Test
    void recurringSchedulesSurviveARoundTrip() {
      Instant later = NOW.plusSeconds(86_400 * 3 + 17);
      for (String params : List.of(
          "{\"minutes\":45}",
          "{\"minutes\":45,\"startDate\":\"2026-01-01T00:00:00.123Z\",\"stopDate\":\"2026-06-01T00:00:00Z\"}",
          "{\"cron\":\"0 9 * * *\",\"timezone\":\"America/New_York\",\"stopDate\":\"2026-06-01T00:00:00Z\"}",
          "{\"cron\":\"*/10 * * * * *\",\"startDate\":\"2026-01-20T00:00:00Z\",\"trigger_payload\":{\"k\":[1,2]}}")) {
        AlarmSpec spec = AlarmSpec.parse(new JsonObject(params), NOW, "t");
        AlarmSpec reparsed = AlarmSpec.parse(spec.toConfig(), later, "t");
        assertThat(reparsed).as(params).isEqualTo(spec);
        assertThat(fires(reparsed, later, 20)).as(params).isEqualTo(fires(spec, later, 20));
        assertThat(AlarmSpec.restore(spec.toConfig(), "t")).as(params).isEqualTo(spec);
      }
    }

    @Test
    void restoreAcceptsDatesThatHavePassed() {
      AlarmSpec once = parse("{\"date\":\"2026-01-16T00:00:00Z\",\"deleteAfterFire\":true}");
      AlarmSpec restored = AlarmSpec.restore(once.toConfig(), "t");
      assertThat(restored).isEqualTo(once);
      assertThat(restored.firstFire(Instant.parse("2026-02-01T00:00:00Z"))).isEmpty();
      AlarmSpec ended = parse("{\"cron\":\"* * * * *\",\"stopDate\":\"2026-01-16T00:00:00Z\"}");
      assertThat(AlarmSpec.restore(ended.toConfig(), "t")).isEqualTo(ended);
      assertThatThrownBy(() -> AlarmSpec.parse(ended.toConfig(), Instant.parse("2026-02-01T00:00:00Z"), "t"))
          .hasMessage("stopDate parameter '2026-01-16T00:00:00Z' must be in the future");
    }

    @Test
    void restoreStillValidates() {
      assertThatThrownBy(() -> AlarmSpec.restore(new JsonObject().put("cron", "nope"), "t"))
          .hasMessage("cron pattern 'nope' is not valid");
      assertThatThrownBy(() -> AlarmSpec.restore(new JsonObject().put("minutes", 5), "t"))
          .isInstanceOf(WhiskfeedException.class);
    }
  }

  @Test
  void theRecordRejectsOutOfRangeValues() {
    Schedule once = new Schedule.Once(NOW);
    assertThatThrownBy(() -> new AlarmSpec(once, null, "maybe", true, 0, true))
        .hasMessage("deleteAfterFire parameter must be one of [false, true, rules].");
    assertThatThrownBy(() -> new AlarmSpec(once, null, "false", true, 3601, true))
        .hasMessage("spreadSec parameter must be an integer between 0 and 3600");
    assertThat(new AlarmSpec(once, null, "false", true, 0, true).triggerPayload()).isEqualTo(new JsonObject());
  }
}
