package dev.whiskfeed.actions;

import static dev.whiskfeed.actions.FeedActionTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each alarm action keeps to its schedule as the alarms package's actions do: its own parameter is
 * required on CREATE (with the package's message), the others' are refused, and a refused call
 * never reaches the provider.
 */
class AlarmScheduleTest {
  private ProviderStub provider;

  @BeforeEach
  void startProvider() throws IOException {
    provider = new ProviderStub();
  }

  @AfterEach
  void stopProvider() {
    provider.close();
  }

  @ParameterizedTest(name = "{0} CREATE {1}")
  @CsvSource(delimiter = '|', value = {
      "alarm    | {}                              | alarms trigger feed is missing the cron parameter",
      "alarm    | {\"cron\":null}                 | alarms trigger feed is missing the cron parameter",
      "alarm    | {\"cron\":\"  \"}               | alarms trigger feed is missing the cron parameter",
      "interval | {\"startDate\":1}               | interval trigger feed is missing the minutes parameter",
      "once     | {\"deleteAfterFire\":\"rules\"} | alarms once trigger feed is missing the date parameter",
      "alarm    | {\"minutes\":5}                 | the alarm feed does not take the minutes parameter: minutes belongs to the interval feed",
      "alarm    | {\"cron\":\"* * * * *\",\"date\":1} | the alarm feed does not take the date parameter: date belongs to the once feed",
      "interval | {\"cron\":\"* * * * *\"}        | the interval feed does not take the cron parameter: cron belongs to the alarm feed",
      "once     | {\"date\":1,\"minutes\":5}      | the once feed does not take the minutes parameter: minutes belongs to the interval feed",
  })
  void createOutsideTheActionsScheduleIsRefusedBeforeTheProvider(String action, String params, String error) {
    JsonObject result = main(action).apply(args("CREATE", params));

    assertThat(result).isEqualTo(error(error));
    assertThat(provider.requests()).isEmpty();
  }

  @ParameterizedTest(name = "{0} UPDATE {1}")
  @CsvSource(delimiter = '|', value = {
      "interval | {\"cron\":\"0 * * * *\"} | the interval feed does not take the cron parameter: cron belongs to the alarm feed",
      "alarm    | {\"date\":1}             | the alarm feed does not take the date parameter: date belongs to the once feed",
  })
  void updateCannotSwitchTheSchedule(String action, String params, String error) {
    assertThat(main(action).apply(args("UPDATE", params))).isEqualTo(error(error));
    assertThat(provider.requests()).isEmpty();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(delimiter = '|', value = {
      "alarm    | CREATE | {\"cron\":\"*/5 * * * *\",\"strict\":false}",
      "interval | CREATE | {\"minutes\":5,\"cron\":\"\"}",
      "once     | CREATE | {\"date\":\"2030-01-01T00:00:00Z\"}",
      "alarm    | UPDATE | {\"trigger_payload\":{\"a\":1}}",
      "once     | UPDATE | {\"date\":\"2030-01-01T00:00:00Z\"}",
      "interval | READ   | {}",
      "once     | DELETE | {}",
  })
  void callsWithinTheScheduleReachTheProvider(String action, String event, String params) {
    provider.answer(200, "{\"status\":\"success\"}");

    assertThat(main(action).apply(args(event, params))).isEqualTo(json("{\"status\":\"success\"}"));
    assertThat(provider.requests()).hasSize(1);
  }

  private JsonObject args(String event, String params) {
    JsonObject args = json(params);
    args.addProperty("providerUrl", provider.url());
    args.addProperty("lifecycleEvent", event);
    args.addProperty("triggerName", "/guest/t");
    args.addProperty("authKey", "uuid:key");
    return args;
  }

  private static UnaryOperator<JsonObject> main(String action) {
    switch (action) {
      case "alarm":
        return AlarmFeed::main;
      case "interval":
        return IntervalFeed::main;
      case "once":
        return OnceFeed::main;
      default:
        throw new IllegalArgumentException(action);
    }
  }

  private static JsonObject error(String message) {
    JsonObject error = new JsonObject();
    error.addProperty("error", message);
    return error;
  }
}
