package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenWhisk faults: the stand-in answers a random 30% of fires with 500, 502, 503, 429, no answer at all (the fire
 * times out) or a dropped connection. Every event ends delivered or dead with its reason, and every retry keeps the
 * spacing guarantees.md promises: {@code retryIntervalSec × 2^(n-1)} after a failure unless a later success of the
 * feed pulled the backlog forward, and after a 429 its {@code Retry-After} (or at least 60 s), never pulled forward.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class OpenWhiskFaultsReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:owFaultsReliabilityKey";
  static final int MAX_RETRIES = 4;
  static final int TIMEOUT_SEC = 2;
  static final Duration SLACK = Duration.ofMillis(150);
  static final Duration THROTTLED_WAIT = Duration.ofSeconds(Reliability.full() ? 60 : 1);

  @Test
  void thirtyPercentFailedFiresEndDeliveredOrDeadWithRetriesSpacedAsSpecified(TestPostgres pg) throws Exception {
    int load = Reliability.load(300, 5_000);
    TestDatabase db = pg.newDatabase("owfaults");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    // a 429 without Retry-After waits at least 60 s: only the full-size run has the time; the scaled one says 1 s
    Reply throttled = Reliability.full() ? Reply.status(429) : Reply.status(429).withHeader("Retry-After", "1");
    List<Reply> failures = List.of(Reply.status(500), Reply.status(502), Reply.status(503), throttled,
        Reply.timeout(), Reply.drop());
    Map<String, String> env = TestProvider.env(db, openwhisk.url());
    // these 429s are random faults, not a namespace's limit: a fixed pace far above the load keeps the
    // adaptive pace (which would rightly slow the namespace down) out of a test of retry spacing;
    // PacingReliabilityIT covers pacing
    env.put("WHISKFEED_FIRES_PER_MINUTE", "1000000");
    try (ProviderProcess provider = ProviderProcess.start(env, Path.of("target", "reliability-owfaults.log"))) {
      Api api = new Api(provider.port(), KEY);
      Api.Response created = api.create("guest", "orders", new JsonObject().put("kind", "changes")
          .put("table", "public.orders").put("maxRetries", MAX_RETRIES).put("retryIntervalSec", 1)
          .put("timeoutSec", TIMEOUT_SEC));
      assertThat(created.status()).as(created.body()).isEqualTo(200);
      openwhisk.failRandomly(0.3, 20261129L, failures.toArray(new Reply[0]));
      long t0 = System.nanoTime();
      db.execute("INSERT INTO public.orders SELECT g, 'order ' || g FROM generate_series(1, " + load + ") g");
      await().atMost(Duration.ofSeconds(Reliability.full() ? 540 : 120))
          .until(() -> Reliability.count(db, "true") == load && Reliability.count(db, "state = 'pending'") == 0);
      long drainMs = (System.nanoTime() - t0) / 1_000_000;
      openwhisk.failRandomly(0, 0);

      List<Recorded> fires = openwhisk.fires("guest", "orders");
      long failed = fires.stream().filter(f -> !Reliability.accepted(f)).count();
      long dead = Reliability.count(db, "state = 'dead'");
      List<String> tooEarly = tooEarly(fires);
      Reliability.report("openwhisk-faults", load, "30%:500/502/503/429(" + THROTTLED_WAIT.toSeconds() + "s)/timeout/drop", Reliability.count(db, "true"),
          Reliability.delivered(fires).size(), Reliability.duplicated(fires),
          load - Reliability.delivered(fires).size() - dead, drainMs,
          "fires=" + fires.size() + " failedFires=" + failed + " dead=" + dead + " retriesTooEarly=" + tooEarly.size());

      assertThat(Reliability.count(db, "true")).isEqualTo(load);
      assertThat(Reliability.count(db, "state = 'delivered'") + dead).as("delivered or dead, nothing else")
          .isEqualTo(load);
      assertThat(Reliability.delivered(fires)).hasSize((int) (load - dead));
      assertThat(Reliability.count(db, "state = 'dead' AND (last_error IS NULL OR attempts <> " + (MAX_RETRIES + 1)
          + ")")).as("a dead event says why, after every attempt").isZero();
      if (dead > 0) {
        JsonObject listed = api.events("guest", "orders", "state=dead&limit=10").json();
        assertThat(listed.encode()).as("dead events are visible to the owner").contains("gave up after");
      }
      assertThat(tooEarly).as("retries earlier than specified").isEmpty();
      assertThat(api.read("guest", "orders").json().getJsonObject("status").getString("state")).isEqualTo("active");
    }
  }

  /** Retries that came sooner than guarantees.md allows, described. */
  static List<String> tooEarly(List<Recorded> fires) {
    List<Instant> successes = fires.stream().filter(Reliability::accepted).map(Recorded::answeredAt)
        .sorted().toList();
    List<String> out = new ArrayList<>();
    Reliability.byEvent(fires).forEach((id, attempts) -> {
      for (int n = 1; n < attempts.size(); n++) {
        Recorded failed = attempts.get(n - 1);
        Instant next = attempts.get(n).receivedAt();
        Instant failedAt = failed.status() == Recorded.UNANSWERED
            ? failed.receivedAt().plusSeconds(TIMEOUT_SEC) : failed.answeredAt();
        Instant earliest;
        if (failed.status() == 429) {
          earliest = failedAt.plus(THROTTLED_WAIT);
        } else {
          Instant backoff = failedAt.plusSeconds(1L << (n - 1));
          // after a server error or network failure, a later success of the feed may pull the backlog forward
          Instant pulled = successes.stream().filter(s -> s.isAfter(failedAt.minus(SLACK))).findFirst()
              .orElse(Instant.MAX);
          earliest = backoff.isBefore(pulled) ? backoff : pulled;
        }
        if (next.isBefore(earliest.minus(SLACK))) {
          out.add(id + " attempt " + (n + 1) + " after " + failed.status() + ": "
              + Duration.between(failedAt, next).toMillis() + " ms");
        }
      }
    });
    out.sort(Comparator.naturalOrder());
    return out;
  }
}
