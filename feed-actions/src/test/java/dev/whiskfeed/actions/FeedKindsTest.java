package dev.whiskfeed.actions;

import static dev.whiskfeed.actions.FeedActionTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each public action, through its real {@code main}, creates a feed of its kind. */
class FeedKindsTest {
  private ProviderStub provider;

  @BeforeEach
  void startProvider() throws IOException {
    provider = new ProviderStub();
  }

  @AfterEach
  void stopProvider() {
    provider.close();
  }

  static Stream<Arguments> actions() {
    return Stream.of(
        Arguments.of("ChangesFeed", (UnaryOperator<JsonObject>) ChangesFeed::main,
            "changes", "{\"table\":\"public.orders\"}"),
        Arguments.of("WebhookFeed", (UnaryOperator<JsonObject>) WebhookFeed::main,
            "webhook", "{\"secret\":\"s\"}"),
        Arguments.of("AlarmFeed", (UnaryOperator<JsonObject>) AlarmFeed::main,
            "alarm", "{\"cron\":\"*/5 * * * *\",\"trigger_payload\":{\"a\":1}}"),
        Arguments.of("IntervalFeed", (UnaryOperator<JsonObject>) IntervalFeed::main,
            "alarm", "{\"minutes\":15}"),
        Arguments.of("OnceFeed", (UnaryOperator<JsonObject>) OnceFeed::main,
            "alarm", "{\"date\":\"2030-01-01T00:00:00Z\",\"deleteAfterFire\":\"rules\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("actions")
  void createSendsTheKindAndPassesParametersThrough(
      String name, UnaryOperator<JsonObject> main, String kind, String params) {
    JsonObject args = json(params);
    args.addProperty("providerUrl", provider.url());
    args.addProperty("lifecycleEvent", "CREATE");
    args.addProperty("triggerName", "/guest/t");
    args.addProperty("authKey", "uuid:key");

    JsonObject result = main.apply(args);

    assertThat(result).isEqualTo(json("{\"status\":\"success\"}"));
    JsonObject expected = json(params);
    expected.addProperty("kind", kind);
    assertThat(json(provider.onlyRequest().body())).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("actions")
  void mainNeverThrows(String name, UnaryOperator<JsonObject> main, String kind, String params) {
    assertThat(FeedActionTest.keys(main.apply(null))).containsExactly("error");
    assertThat(FeedActionTest.keys(main.apply(new JsonObject()))).containsExactly("error");
  }
}
