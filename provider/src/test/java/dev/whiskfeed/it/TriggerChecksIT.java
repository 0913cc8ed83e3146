package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Found while testing graceful shutdown: lifecycle calls checked their authKey over the fires' connection pool,
 * so with every fire connection held by a slow OpenWhisk, each call waited for a fire to finish.
 */
@ExtendWith(PgExtension.class)
@Timeout(60)
class TriggerChecksIT {

  @Test
  void lifecycleCallsDoNotWaitBehindFiresInFlight(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("checks");
    Vertx vertx = Vertx.vertx();
    StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
    try (Provider provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_MAX_CONCURRENT_FIRES", "2"))) {
      Api api = new Api(provider.port(), "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:checksKey");
      api.create("guest", "t", new JsonObject().put("kind", "webhook"));
      openwhisk.defaultReply("guest", "t", Reply.slow(Duration.ofSeconds(5)));
      api.event("guest", "t", new JsonObject());
      api.event("guest", "t", new JsonObject());
      await().atMost(Duration.ofSeconds(5)).until(() -> openwhisk.fires().size() == 2);
      long t0 = System.nanoTime();
      for (int i = 0; i < 5; i++) assertThat(api.event("guest", "t", new JsonObject()).status()).isEqualTo(202);
      assertThat(api.read("guest", "t").status()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
      assertThat(openwhisk.fires().stream().filter(f -> f.answered()).count()).isZero();
    } finally {
      openwhisk.close();
      vertx.close();
    }
  }
}
