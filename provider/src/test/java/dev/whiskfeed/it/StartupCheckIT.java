package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** At start-up every active feed's trigger is checked against OpenWhisk; vanished triggers disable their feed. */
@ExtendWith(PgExtension.class)
@Timeout(120)
class StartupCheckIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:startupCheckKey";
  static final String REVOKED = "bbbbbbbb-71f6-4ed5-8c54-816aa4f8c502:revokedKey";
  Provider provider;

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  @Test
  void aTriggerThatVanishedWhileTheProviderWasDownDisablesItsFeedAtStartUp(TestPostgres pg) throws Exception {
    openwhisk.reset();
    TestDatabase db = pg.newDatabase("startup");
    provider = TestProvider.start(db, openwhisk.url());
    Api api = new Api(provider.port(), KEY);
    for (int i = 0; i < 20; i++) assertThat(api.create("guest", "t" + i, webhook()).status()).isEqualTo(200);
    assertThat(api.create("guest", "gone", webhook()).status()).isEqualTo(200);
    assertThat(api.create("guest", "pausedGone", webhook()).status()).isEqualTo(200);
    api.pause("guest", "pausedGone");
    assertThat(api.as(REVOKED).create("revoked", "r", webhook()).status()).isEqualTo(200);
    provider.close();

    // while the provider is down: two triggers are deleted, one namespace's key is revoked
    openwhisk.deleteTrigger("guest", "gone");
    openwhisk.deleteTrigger("guest", "pausedGone");
    openwhisk.registerKey("revoked", "cccccccc-71f6-4ed5-8c54-816aa4f8c502:theNewKey");
    openwhisk.clearRequests();
    provider = TestProvider.start(db, openwhisk.url(), java.util.Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"));
    Api after = new Api(provider.port(), KEY);

    await().atMost(Duration.ofSeconds(15)).until(() -> "disabled".equals(state(after, "guest", "gone"))
        && "disabled".equals(state(after.as(REVOKED), "revoked", "r")));
    JsonObject reason = after.read("guest", "gone").json().getJsonObject("status").getJsonObject("reason");
    assertThat(reason.getString("kind")).isEqualTo("AUTO");
    assertThat(reason.getInteger("statusCode")).isEqualTo(404);
    assertThat(reason.getString("message")).endsWith(" on trigger initialization");
    assertThat(after.as(REVOKED).read("revoked", "r").json().getJsonObject("status").getJsonObject("reason")
        .getInteger("statusCode")).isEqualTo(401);
    // only active feeds are checked; the others stay as they were
    assertThat(state(after, "guest", "pausedGone")).isEqualTo("paused");
    await().atMost(Duration.ofSeconds(10)).until(() -> triggerChecks() == 22);
    for (int i = 0; i < 20; i++) assertThat(state(after, "guest", "t" + i)).isEqualTo("active");
  }

  @Test
  void aProviderGivenAnotherMasterKeyThanItsFeedsWereSealedWithDoesNotStart(TestPostgres pg) throws Exception {
    openwhisk.reset();
    TestDatabase db = pg.newDatabase("startup_key");
    provider = TestProvider.start(db, openwhisk.url());
    assertThat(new Api(provider.port(), KEY).create("guest", "t", webhook()).status()).isEqualTo(200);
    provider.close();
    provider = null;

    String otherKey = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> provider = TestProvider.start(db,
        openwhisk.url(), java.util.Map.of("WHISKFEED_MASTER_KEY", otherKey)));
    assertThat(failure).isNotNull();
    assertThat(failure).hasStackTraceContaining("sealed value cannot be opened with this master key");
  }

  private static long triggerChecks() {
    return openwhisk.requests().stream().filter(r -> "GET".equals(r.method())).count();
  }

  private static String state(Api api, String ns, String trigger) {
    return api.read(ns, trigger).json().getJsonObject("status").getString("state");
  }

  private static JsonObject webhook() {
    return new JsonObject().put("kind", "webhook");
  }
}
