package dev.whiskfeed.actions;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FeedActionTest {
  private static final String AUTH_KEY =
      "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
  private static final String BASIC = "Basic "
      + Base64.getEncoder().encodeToString(AUTH_KEY.getBytes(StandardCharsets.UTF_8));
  private static final Map<String, String> ENV =
      Collections.singletonMap("__OW_NAMESPACE", "guest");

  private ProviderStub provider;
  private FeedAction changes;

  @BeforeEach
  void startProvider() throws IOException {
    provider = new ProviderStub();
    changes = action(FeedKind.CHANGES, ProviderClient.REQUEST_TIMEOUT);
  }

  @AfterEach
  void stopProvider() {
    provider.close();
  }

  @ParameterizedTest
  @CsvSource({
      "CREATE,  POST,   /api/v1/feeds/guest/orderChanged",
      "READ,    GET,    /api/v1/feeds/guest/orderChanged",
      "UPDATE,  PUT,    /api/v1/feeds/guest/orderChanged",
      "DELETE,  DELETE, /api/v1/feeds/guest/orderChanged",
      "PAUSE,   POST,   /api/v1/feeds/guest/orderChanged/pause",
      "UNPAUSE, POST,   /api/v1/feeds/guest/orderChanged/unpause",
  })
  void eachLifecycleEventCallsItsEndpointWithTheTriggersCredentials(
      String event, String method, String path) {
    provider.answer(200, "{\"status\":\"success\",\"event\":\"" + event + "\"}");

    JsonObject result = invoke(changes, args(event, "/guest/orderChanged"));

    assertThat(result).isEqualTo(json("{\"status\":\"success\",\"event\":\"" + event + "\"}"));
    ProviderStub.Recorded request = provider.onlyRequest();
    assertThat(request.method()).isEqualTo(method);
    assertThat(request.rawPath()).isEqualTo(path);
    assertThat(request.header("Authorization")).isEqualTo(BASIC);
    assertThat(request.header("Accept")).isEqualTo("application/json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"READ", "DELETE", "PAUSE", "UNPAUSE"})
  void eventsWithoutParametersSendNoBody(String event) {
    invoke(changes, args(event, "/guest/orderChanged"));

    ProviderStub.Recorded request = provider.onlyRequest();
    assertThat(request.body()).isEmpty();
    assertThat(request.header("Content-Type")).isNull();
  }

  @Test
  void createSendsTheKindAndOnlyTheUsersParameters() {
    JsonObject args = args("CREATE", "/guest/orderChanged");
    args.addProperty("table", "public.orders");
    args.add("events", new JsonParser().parse("[\"INSERT\",\"UPDATE\"]"));
    args.add("options", json("{\"nested\":{\"__ow_kept\":true}}"));
    args.addProperty("__ow_method", "post");
    args.addProperty("__OW_API_KEY", "x");
    args.addProperty("kind", "webhook");

    invoke(changes, args);

    ProviderStub.Recorded request = provider.onlyRequest();
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(json(request.body())).isEqualTo(json("{\"kind\":\"changes\","
        + "\"table\":\"public.orders\",\"events\":[\"INSERT\",\"UPDATE\"],"
        + "\"options\":{\"nested\":{\"__ow_kept\":true}}}"));
  }

  @Test
  void updateSendsOnlyTheUsersParametersWithoutKind() {
    JsonObject args = args("UPDATE", "/guest/orderChanged");
    args.addProperty("maxTriggers", 10);
    args.addProperty("__ow_headers", "{}");

    invoke(changes, args);

    ProviderStub.Recorded request = provider.onlyRequest();
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(json(request.body())).isEqualTo(json("{\"maxTriggers\":10}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"create", "Create", " CREATE "})
  void lifecycleEventIgnoresLetterCase(String event) {
    invoke(changes, args(event, "/guest/orderChanged"));

    assertThat(provider.onlyRequest().method()).isEqualTo("POST");
  }

  @Test
  void defaultNamespaceIsResolvedFromTheEnvironment() {
    invoke(changes, args("READ", "/_/orderChanged"), Collections.singletonMap("__OW_NAMESPACE", "alice_dev"));

    assertThat(provider.onlyRequest().rawPath()).isEqualTo("/api/v1/feeds/alice_dev/orderChanged");
  }

  @Test
  void defaultNamespaceWithoutEnvironmentIsAnErrorAndCallsNothing() {
    JsonObject result = invoke(changes, args("READ", "/_/orderChanged"),
        Collections.<String, String>emptyMap());

    assertThat(error(result)).contains("__OW_NAMESPACE");
    assertThat(provider.requests()).isEmpty();
  }

  @Test
  void oddTriggerNamesArePercentEncoded() {
    invoke(changes, args("PAUSE", "/my ns/a b+c@ü%?#"));

    assertThat(provider.onlyRequest().rawPath())
        .isEqualTo("/api/v1/feeds/my%20ns/a%20b%2Bc%40%C3%BC%25%3F%23/pause");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "//", "/whisk/"})
  void providerUrlMayEndWithSlashesOrCarryAPath(String suffix) {
    JsonObject args = args("READ", "/guest/t");
    args.addProperty("providerUrl", provider.url() + suffix);

    invoke(changes, args);

    String prefix = suffix.startsWith("/whisk") ? "/whisk" : "";
    assertThat(provider.onlyRequest().rawPath()).isEqualTo(prefix + "/api/v1/feeds/guest/t");
  }

  @Test
  void providersErrorBodyIsPassedThrough() {
    String body = "{\"error\":\"could not find trigger /guest/t in the database\","
        + "\"code\":\"feed_not_found\"}";
    provider.answer(404, body);

    assertThat(invoke(changes, args("READ", "/guest/t"))).isEqualTo(json(body));
  }

  @ParameterizedTest
  @ValueSource(strings = {"CREATE", "UPDATE"})
  void errorBodyOfARejectedRequestWithABodyIsPassedThrough(String event) {
    String body = "{\"error\":\"unauthorized\",\"code\":\"unauthorized\"}";
    provider.answer(401, body);

    assertThat(invoke(changes, args(event, "/guest/t"))).isEqualTo(json(body));
  }

  @Test
  void redirectsAreNotFollowed() {
    provider.answer(307, "moved");

    JsonObject result = invoke(changes, args("DELETE", "/guest/t"));

    assertThat(error(result)).isEqualTo("provider answered 307: moved");
    assertThat(provider.requests()).hasSize(1);
  }

  @Test
  void nonJsonErrorNamesTheStatusAndTheStartOfTheBody() {
    String body = "<html>Bad Gateway</html>" + repeat("x", 300);
    provider.answer(502, body);

    JsonObject result = invoke(changes, args("READ", "/guest/t"));

    assertThat(error(result)).isEqualTo("provider answered 502: " + body.substring(0, 200));
  }

  @Test
  void unsupportedLifecycleEventIsAnErrorAndCallsNothing() {
    JsonObject result = invoke(changes, args("RESTART", "/guest/t"));

    assertThat(error(result)).contains("unsupported lifecycleEvent");
    assertThat(provider.requests()).isEmpty();
  }

  @Test
  void unreachableProviderIsNamedByProviderUrl() throws IOException {
    String url = "http://127.0.0.1:" + closedPort();
    JsonObject args = args("READ", "/guest/t");
    args.addProperty("providerUrl", url);

    JsonObject result = invoke(changes, args);

    assertThat(result).isEqualTo(json("{\"error\":\"could not reach the whiskfeed provider at"
        + " providerUrl " + url + ": connection refused\"}"));
  }

  @Test
  void silentProviderTimesOutNamingProviderUrl() {
    provider.hang();
    FeedAction impatient = action(FeedKind.CHANGES, Duration.ofMillis(300));

    JsonObject result = invoke(impatient, args("DELETE", "/guest/t"));

    assertThat(error(result)).isEqualTo("the whiskfeed provider at providerUrl "
        + provider.url() + " did not answer within 300 ms (the DELETE may still take effect)");
  }

  @Test
  void credentialsEchoedByTheProviderAreMasked() {
    provider.answer(request -> new ProviderStub.Answer(401, "{\"error\":\"bad "
        + request.header("Authorization") + " for " + AUTH_KEY + "\",\"code\":\"unauthorized\","
        + "\"" + AUTH_KEY.substring(AUTH_KEY.indexOf(':') + 1) + "\":[\"" + AUTH_KEY + "\"]}"));

    JsonObject result = invoke(changes, args("READ", "/guest/t"));

    assertThat(result).isEqualTo(json("{\"error\":\"bad Basic *** for ***\","
        + "\"code\":\"unauthorized\",\"***\":[\"***\"]}"));
  }

  @Test
  void nullArgumentsAreAnError() {
    assertThat(error(changes.run(null, ENV))).startsWith("no parameters");
  }

  private FeedAction action(FeedKind kind, Duration requestTimeout) {
    return new FeedAction(kind, new ProviderClient(ProviderClient.CONNECT_TIMEOUT, requestTimeout));
  }

  private JsonObject args(String event, String triggerName) {
    JsonObject args = new JsonObject();
    args.addProperty("providerUrl", provider.url());
    args.addProperty("lifecycleEvent", event);
    args.addProperty("triggerName", triggerName);
    args.addProperty("authKey", AUTH_KEY);
    return args;
  }

  private static JsonObject invoke(FeedAction action, JsonObject args) {
    return invoke(action, args, ENV);
  }

  /** Every result is checked for the authKey, its secret half and its Basic form. */
  private static JsonObject invoke(FeedAction action, JsonObject args, Map<String, String> env) {
    JsonObject result = action.run(args, env);
    assertThat(result.toString())
        .doesNotContain(AUTH_KEY)
        .doesNotContain(AUTH_KEY.substring(AUTH_KEY.indexOf(':') + 1))
        .doesNotContain(BASIC.substring("Basic ".length()));
    return result;
  }

  private static String error(JsonObject result) {
    assertThat(keys(result)).containsExactly("error");
    return result.get("error").getAsString();
  }

  /** The object's member names (JsonObject.keySet is Gson 2.8.1+; these tests run on 2.6.2). */
  static List<String> keys(JsonObject object) {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
      keys.add(entry.getKey());
    }
    return keys;
  }

  static JsonObject json(String text) {
    return new JsonParser().parse(text).getAsJsonObject();
  }

  private static String repeat(String text, int times) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < times; i++) {
      out.append(text);
    }
    return out.toString();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
