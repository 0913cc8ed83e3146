package dev.whiskfeed.feed;

import dev.whiskfeed.store.AdminRepository.Attempts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * A feed's recent activity as the admin API shows it: the age of its oldest pending event and its
 * fire attempts per minute over the last {@value #MINUTES} minutes, the current minute last. A
 * minute without attempts is a zero, so the arrays always have {@value #MINUTES} entries.
 */
public record FeedActivity(Instant since, double oldestPendingAgeSec, long[] fired, long[] failed) {
  public static final int MINUTES = 60;

  /** The first minute of the window that ends with the minute of {@code now}. */
  public static Instant since(Instant now) {
    return now.truncatedTo(ChronoUnit.MINUTES).minus(MINUTES - 1, ChronoUnit.MINUTES);
  }

  /** Spreads attempts keyed by their minute over the window; minutes outside it are left out. */
  public static FeedActivity of(Instant since, double oldestPendingAgeSec, Map<Instant, Attempts> perMinute) {
    long[] fired = new long[MINUTES];
    long[] failed = new long[MINUTES];
    perMinute.forEach((minute, attempts) -> {
      long index = ChronoUnit.MINUTES.between(since, minute);
      if (index < 0 || index >= MINUTES) return;
      fired[(int) index] += attempts.fired();
      failed[(int) index] += attempts.failed();
    });
    return new FeedActivity(since, oldestPendingAgeSec, fired, failed);
  }

  public JsonObject toJson(FeedId feed) {
    return new JsonObject()
        .put("trigger", feed.toString())
        .put("oldestPendingAgeSec", Math.round(oldestPendingAgeSec * 1000) / 1000.0)
        .put("since", since.toString())
        .put("bucketSec", 60)
        .put("fired", array(fired))
        .put("failed", array(failed));
  }

  private static JsonArray array(long[] values) {
    JsonArray out = new JsonArray();
    for (long v : values) out.add(v);
    return out;
  }
}
