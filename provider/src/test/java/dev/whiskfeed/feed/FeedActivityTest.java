package dev.whiskfeed.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.AdminRepository.Attempts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedActivityTest {
  static final Instant NOW = Instant.parse("2026-11-22T06:30:42.5Z");

  @Test
  void theWindowIsTheLastSixtyMinutesEndingWithTheCurrentOne() {
    assertThat(FeedActivity.since(NOW)).isEqualTo(Instant.parse("2026-11-22T05:31:00Z"));
    assertThat(FeedActivity.since(Instant.parse("2026-11-22T06:30:00Z"))).isEqualTo(Instant.parse("2026-11-22T05:31:00Z"));
  }

  @Test
  void attemptsLandInTheirMinuteAndQuietMinutesAreZeros() {
    Instant since = FeedActivity.since(NOW);
    JsonObject json = FeedActivity.of(since, 12.34567, Map.of(
        Instant.parse("2026-11-22T05:31:00Z"), new Attempts(2, 1),
        Instant.parse("2026-11-22T06:30:00Z"), new Attempts(5, 0),
        Instant.parse("2026-11-22T05:30:00Z"), new Attempts(9, 9),   // before the window
        Instant.parse("2026-11-22T06:31:00Z"), new Attempts(9, 9)))  // a clock ahead of ours
        .toJson(FeedId.parse("/guest/orders"));

    assertThat(json.getString("trigger")).isEqualTo("/guest/orders");
    assertThat(json.getString("since")).isEqualTo("2026-11-22T05:31:00Z");
    assertThat(json.getInteger("bucketSec")).isEqualTo(60);
    assertThat(json.getDouble("oldestPendingAgeSec")).isEqualTo(12.346);
    JsonArray fired = json.getJsonArray("fired");
    JsonArray failed = json.getJsonArray("failed");
    assertThat(fired).hasSize(60);
    assertThat(failed).hasSize(60);
    assertThat(fired.getLong(0)).isEqualTo(2);
    assertThat(failed.getLong(0)).isEqualTo(1);
    assertThat(fired.getLong(59)).isEqualTo(5);
    assertThat(failed.getLong(59)).isZero();
    long sum = 0;
    for (int i = 1; i < 59; i++) sum += fired.getLong(i) + failed.getLong(i);
    assertThat(sum).isZero();
  }
}
