package dev.whiskfeed.actions;

import static dev.whiskfeed.actions.FeedActionTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FeedRequestTest {
  private static final Map<String, String> ENV =
      Collections.singletonMap("__OW_NAMESPACE", "guest");

  private static JsonObject args() {
    return json("{\"providerUrl\":\"http://whiskfeed:8080\",\"lifecycleEvent\":\"CREATE\","
        + "\"triggerName\":\"/guest/t\",\"authKey\":\"uuid:secretkey\"}");
  }

  private static JsonObject argsWith(String key, String value) {
    JsonObject args = args();
    if (value == null) {
      args.remove(key);
    } else {
      args.addProperty(key, value);
    }
    return args;
  }

  @Test
  void validArgumentsBecomeARequest() throws FeedActionException {
    FeedRequest request = FeedRequest.from(args(), ENV);

    assertThat(request.event()).isEqualTo(LifecycleEvent.CREATE);
    assertThat(request.namespace()).isEqualTo("guest");
    assertThat(request.trigger()).isEqualTo("t");
    assertThat(request.feedUri()).hasToString("http://whiskfeed:8080/api/v1/feeds/guest/t");
  }

  @Test
  void userParametersExcludeLifecycleAndSystemKeys() throws FeedActionException {
    JsonObject args = args();
    args.addProperty("__ow_method", "post");
    args.addProperty("__OW_ACTION_NAME", "/guest/feed");
    args.addProperty("table", "orders");
    args.add("trigger_payload", json("{\"authKey\":\"not a lifecycle key here\"}"));
    args.addProperty("_ow_almost", 1);

    assertThat(FeedRequest.from(args, ENV).userParams()).isEqualTo(json("{\"table\":\"orders\","
        + "\"trigger_payload\":{\"authKey\":\"not a lifecycle key here\"},\"_ow_almost\":1}"));
  }

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
      "lifecycleEvent, NULL,          missing required parameter lifecycleEvent",
      "lifecycleEvent, '',            parameter lifecycleEvent must not be empty",
      "lifecycleEvent, RESTART,       unsupported lifecycleEvent",
      "providerUrl,    NULL,          missing required parameter providerUrl",
      "providerUrl,    whiskfeed:80,  invalid providerUrl whiskfeed:80",
      "providerUrl,    ftp://h/,      invalid providerUrl ftp://h/",
      "providerUrl,    http://h?x=1,  invalid providerUrl http://h?x=1",
      "providerUrl,    http://a b,    invalid providerUrl http://a b",
      "triggerName,    NULL,          missing required parameter triggerName",
      "triggerName,    guest/t,       invalid triggerName guest/t",
      "triggerName,    /guest/pkg/t,  invalid triggerName /guest/pkg/t",
      "triggerName,    /guest/,       invalid triggerName /guest/",
      "triggerName,    //t,           invalid triggerName //t",
      "authKey,        NULL,          missing required parameter authKey",
  })
  void invalidArgumentsAreNamed(String key, String value, String message) {
    assertThatThrownBy(() -> FeedRequest.from(argsWith(key, value), ENV))
        .isInstanceOf(FeedActionException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void nonStringArgumentIsRejected() {
    JsonObject args = args();
    args.addProperty("triggerName", 42);

    assertThatThrownBy(() -> FeedRequest.from(args, ENV))
        .hasMessageStartingWith("parameter triggerName must be a string");
  }

  @ParameterizedTest
  @ValueSource(strings = {"nocolon-secret", ":secret", "uuid:"})
  void malformedAuthKeyIsRejectedWithoutEchoingIt(String authKey) {
    assertThatThrownBy(() -> FeedRequest.from(argsWith("authKey", authKey), ENV))
        .hasMessage("invalid authKey: expected uuid:key");
  }

  @ParameterizedTest
  @CsvSource({
      "CREATE,  http://h/api/v1/feeds/guest/t",
      "PAUSE,   http://h/api/v1/feeds/guest/t/pause",
      "unpause, http://h/api/v1/feeds/guest/t/unpause",
  })
  void feedUriFollowsTheEvent(String event, String uri) throws FeedActionException {
    JsonObject args = argsWith("lifecycleEvent", event);
    args.addProperty("providerUrl", "http://h///");

    assertThat(FeedRequest.from(args, ENV).feedUri()).hasToString(uri);
  }
}
