package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.store.SecretBox;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Moving from one master key to another with WHISKFEED_MASTER_KEY_PREVIOUS, feeds kept (docs/security.md). */
@ExtendWith(PgExtension.class)
class MasterKeyRotationIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:rotationTestKey";
  static final String NEW_MASTER_KEY = Base64.getEncoder().encodeToString(
      "another-master-key-of-32-bytes!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  @Test
  void aProviderStartedWithTheNewKeyAndThePreviousOneResealsEverySecretUnderTheNewKey(TestPostgres pg)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
    TestDatabase db = pg.newDatabase("rotation");
    String hookUrl;
    try {
      try (Provider before = TestProvider.start(db, openwhisk.url())) {
        Api api = new Api(before.port(), KEY);
        assertThat(api.create("guest", "t", new JsonObject().put("kind", "webhook").put("secret", "hook-secret"))
            .status()).isEqualTo(200);
        Api.Response u = api.create("guest", "u", new JsonObject().put("kind", "webhook"));
        assertThat(u.status()).isEqualTo(200);
        hookUrl = u.json().getJsonObject("feed").getJsonObject("config").getString("hookUrl");
      }
      Map<String, String> rotating = Map.of("WHISKFEED_MASTER_KEY", NEW_MASTER_KEY,
          "WHISKFEED_MASTER_KEY_PREVIOUS", TestProvider.MASTER_KEY);
      try (Provider during = TestProvider.start(db, openwhisk.url(), rotating)) {
        Api api = new Api(during.port(), KEY);
        assertThat(api.read("guest", "t").json().getJsonObject("config").getString("secret")).isEqualTo("set");
      }
      // the stored values now open with the new key alone
      SecretBox newKeyOnly = new SecretBox(Base64.getDecoder().decode(NEW_MASTER_KEY));
      for (Map<String, Object> row : db.query("SELECT auth_key, secrets::text AS secrets, hook_token_sealed "
          + "FROM whiskfeed.feeds")) {
        assertThat(newKeyOnly.open((String) row.get("auth_key"))).isEqualTo(KEY);
        assertThat(newKeyOnly.open((String) row.get("hook_token_sealed"))).matches("[A-Za-z0-9_-]{22,}");
        JsonObject secrets = new JsonObject((String) row.get("secrets"));
        secrets.fieldNames().forEach(name -> assertThat(newKeyOnly.open(secrets.getString(name))).isNotBlank());
      }
      assertThat(new JsonObject((String) db.query("SELECT secrets::text AS s FROM whiskfeed.feeds "
          + "WHERE trigger = 't'").get(0).get("s")).fieldNames()).isNotEmpty();
      try (Provider after = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_MASTER_KEY", NEW_MASTER_KEY))) {
        Api api = new Api(after.port(), KEY);
        assertThat(api.event("guest", "u", new JsonObject().put("n", 1)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "u").size() == 1);
        assertThat(openwhisk.fires("guest", "u").get(0).authKey()).isEqualTo(KEY);
        // the hook keeps its URL through the rotation
        assertThat(api.read("guest", "u").json().getJsonObject("config").getString("hookUrl")).isEqualTo(hookUrl);
        assertThat(new HookClient(after.port()).post(HookClient.path(hookUrl), "{}",
            HookClient.headers("Content-Type", "application/json")).status()).isEqualTo(202);
      }
    } finally {
      openwhisk.close();
      vertx.close();
    }
  }
}
