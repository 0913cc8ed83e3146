package dev.whiskfeed.it;

import static dev.whiskfeed.it.HookClient.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A 202 from a hook is a promise that survives the provider: kill -9 right after it, the event still fires. */
@ExtendWith(PgExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebhookCrashIT extends WithStandInOpenWhisk {

  @Test
  void anEventAnsweredWith202FiresAfterTheProviderWasKilled(TestPostgres pg) throws Exception {
    assertThat(ProviderProcess.jar()).as("the provider jar (mvn verify builds it)").exists();
    TestDatabase db = pg.newDatabase("hookcrash");
    // the killed provider may get as far as firing: that fire is never answered
    openwhisk.defaultReply("guest", "crash", Reply.timeout());
    Path log = Files.createTempFile("whiskfeed-hookcrash-", ".log");
    String eventId;
    try (ProviderProcess process = ProviderProcess.start(TestProvider.env(db, openwhisk.url()), log)) {
      Api api = new Api(process.port(), WebhookIT.KEY);
      Api.Response created = api.create("guest", "crash", new JsonObject().put("kind", "webhook"));
      assertThat(created.status()).as(created.body()).isEqualTo(200);
      String path = HookClient.path(created.json().getJsonObject("feed").getJsonObject("config").getString("hookUrl"));
      Api.Response answer = new HookClient(process.port()).post(path, "{\"order\":42}",
          headers("Content-Type", "application/json", "X-GitHub-Event", "push"));
      assertThat(answer.status()).as(answer.body()).isEqualTo(202);
      eventId = answer.json().getString("eventId");
      process.kill();
    }
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE id = ?::uuid AND state = 'pending'", eventId))
        .isEqualTo(1);
    assertThat(openwhisk.fires("guest", "crash")).allMatch(f -> !f.answered() || f.status() == Recorded.DROPPED);

    openwhisk.defaultReply("guest", "crash", Reply.accepted());
    Provider restarted = TestProvider.start(db, openwhisk.url());
    try {
      // a lease the killed provider held runs out (WHISKFEED_LEASE_SEC=5), then the event is taken over
      await().atMost(Duration.ofSeconds(60)).until(() -> answered(eventId).size() == 1);
      JsonObject envelope = answered(eventId).get(0).json();
      assertThat(envelope.getJsonObject("event").getString("op")).isEqualTo("WEBHOOK");
      assertThat(envelope.getJsonObject("event").getJsonObject("data").getJsonObject("body"))
          .isEqualTo(new JsonObject().put("order", 42));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong(
          "SELECT count(*) FROM whiskfeed.event_status WHERE id = ?::uuid AND state = 'delivered'", eventId) == 1);
    } finally {
      restarted.close();
      Files.deleteIfExists(log);
    }
  }

  static List<Recorded> answered(String eventId) {
    return openwhisk.fires("guest", "crash").stream()
        .filter(f -> eventId.equals(f.header("X-Whiskfeed-Event-Id")) && f.status() == 202).toList();
  }
}
