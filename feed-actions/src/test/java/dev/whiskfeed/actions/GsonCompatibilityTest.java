package dev.whiskfeed.actions;

import static dev.whiskfeed.actions.FeedActionTest.json;
import static dev.whiskfeed.actions.FeedActionTest.keys;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The feed actions on the Gson a runtime ships. This class runs twice (see the module's pom):
 * on Gson {@value FeedAction#OLDEST_GSON}, the oldest a supported OpenWhisk Java image carries,
 * and on the project's current Gson; the other tests of the module run on both as well.
 */
class GsonCompatibilityTest {
  private ProviderStub provider;

  @BeforeEach
  void startProvider() throws IOException {
    provider = new ProviderStub();
  }

  @AfterEach
  void stopProvider() {
    provider.close();
  }

  @Test
  void aCreateRoundTripsThroughTheGsonOnTheClassPath() {
    provider.answer(200, "{\"status\":\"success\",\"feed\":{\"config\":{\"cron\":\"0 * * * *\",\"n\":[1,2.5,null]}}}");
    JsonObject args = json("{\"cron\":\"0 * * * *\",\"trigger_payload\":{\"a\":[1,{\"b\":null}]},\"strict\":false}");
    args.addProperty("providerUrl", provider.url());
    args.addProperty("lifecycleEvent", "CREATE");
    args.addProperty("triggerName", "/guest/t");
    args.addProperty("authKey", "uuid:key");

    JsonObject result = AlarmFeed.main(args);

    assertThat(result).isEqualTo(
        json("{\"status\":\"success\",\"feed\":{\"config\":{\"cron\":\"0 * * * *\",\"n\":[1,2.5,null]}}}"));
    assertThat(json(provider.onlyRequest().body())).isEqualTo(json(
        "{\"kind\":\"alarm\",\"cron\":\"0 * * * *\",\"trigger_payload\":{\"a\":[1,{\"b\":null}]},\"strict\":false}"));
  }

  @Test
  void theExpectedGsonIsOnTheClassPath() {
    String expected = System.getProperty("whiskfeed.expectedGson");
    String location = Gson.class.getProtectionDomain().getCodeSource().getLocation().toString();
    if (expected != null) { // set by the pom's executions; an IDE run uses whatever it has
      assertThat(location).endsWith("gson-" + expected + ".jar");
    }
  }

  @Test
  void aMissingGsonMethodIsAnErrorResultNotAThrow() {
    ParameterCheck olderGson = (event, params) -> {
      throw new NoSuchMethodError("com.google.gson.JsonObject.someNewerMethod()");
    };
    FeedAction action = new FeedAction(FeedKind.ALARM, olderGson,
        new ProviderClient(ProviderClient.CONNECT_TIMEOUT, ProviderClient.REQUEST_TIMEOUT));
    JsonObject args = json("{\"cron\":\"0 * * * *\"}");
    args.addProperty("providerUrl", provider.url());
    args.addProperty("lifecycleEvent", "CREATE");
    args.addProperty("triggerName", "/guest/t");
    args.addProperty("authKey", "uuid:key");

    JsonObject result = action.run(args, Collections.<String, String>emptyMap());

    assertThat(keys(result)).containsExactly("error");
    assertThat(result.get("error").getAsString()).startsWith(
        "the feed action needs Gson 2.6.2 or newer on the runtime's class path:"
            + " java.lang.NoSuchMethodError: com.google.gson.JsonObject.someNewerMethod()");
    assertThat(provider.requests()).isEmpty();
  }
}
