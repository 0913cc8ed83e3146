package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.whiskfeed.actions.AlarmFeed;
import dev.whiskfeed.actions.WebhookFeed;
import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real feed-action classes, called as OpenWhisk calls them, against the real provider. */
@ExtendWith(PgExtension.class)
class FeedActionIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:actionKey";

  private static JsonObject args(String providerUrl, String event) {
    JsonObject args = new JsonObject();
    args.addProperty("providerUrl", providerUrl);
    args.addProperty("lifecycleEvent", event);
    args.addProperty("triggerName", "/guest/fromAction");
    args.addProperty("authKey", KEY);
    return args;
  }

  @Test
  void aFeedActionDrivesTheWholeLifecycle(TestPostgres pg) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
         Provider provider = TestProvider.start(pg.newDatabase("actions"), openwhisk.url())) {
      openwhisk.registerKey("guest", KEY);
      String url = "http://127.0.0.1:" + provider.port();

      JsonObject create = args(url, "CREATE");
      create.addProperty("cron", "*/5 * * * *");
      create.addProperty("maxRetries", 3);
      JsonObject created = AlarmFeed.main(create);
      assertThat(created.has("error")).as(created.toString()).isFalse();
      assertThat(created.getAsJsonObject("feed").get("kind").getAsString()).isEqualTo("alarm");

      JsonObject read = AlarmFeed.main(args(url, "READ"));
      assertThat(read.getAsJsonObject("config").get("maxRetries").getAsInt()).isEqualTo(3);
      assertThat(read.getAsJsonObject("status").get("state").getAsString()).isEqualTo("active");

      JsonObject update = args(url, "UPDATE");
      update.addProperty("maxRetries", 5);
      assertThat(AlarmFeed.main(update).getAsJsonObject("feed").getAsJsonObject("config").get("maxRetries").getAsInt())
          .isEqualTo(5);

      assertThat(AlarmFeed.main(args(url, "PAUSE")).getAsJsonObject("feed").getAsJsonObject("status").get("state")
          .getAsString()).isEqualTo("paused");
      assertThat(AlarmFeed.main(args(url, "UNPAUSE")).getAsJsonObject("feed").getAsJsonObject("status").get("state")
          .getAsString()).isEqualTo("active");
      assertThat(AlarmFeed.main(args(url, "DELETE")).get("status").getAsString()).isEqualTo("success");

      JsonObject missing = AlarmFeed.main(args(url, "READ"));
      assertThat(missing.get("error").getAsString()).isEqualTo("could not find trigger /guest/fromAction in the database");

      JsonObject badParam = args(url, "CREATE");
      badParam.addProperty("tabel", "x");
      assertThat(WebhookFeed.main(badParam).get("error").getAsString()).contains("tabel");

      JsonObject wrongKey = args(url, "READ");
      wrongKey.addProperty("authKey", "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrong");
      assertThat(AlarmFeed.main(wrongKey).get("error").getAsString()).isEqualTo("Trigger authentication request failed.");
    } finally {
      vertx.close();
    }
  }
}
