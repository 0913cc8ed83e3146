package dev.whiskfeed.feed;

import dev.whiskfeed.store.Backfill;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** The READ body of API.md. */
public final class FeedView {
  private final String publicUrl;

  public FeedView(String publicUrl) {
    this.publicUrl = publicUrl;
  }

  public JsonObject read(Feed feed, Map<String, Long> counts) {
    return read(feed, counts, null);
  }

  /** With {@code status.backfill} when the feed has had a backfill ({@code backfill} null: none). */
  public JsonObject read(Feed feed, Map<String, Long> counts, Backfill backfill) {
    JsonObject status = status(feed.status());
    if (backfill != null) status.put("backfill", backfill.toJson());
    return new JsonObject()
        .put("trigger", feed.feedId().toString())
        .put("kind", feed.kind().wireName())
        .put("config", config(feed))
        .put("status", status)
        .put("stats", stats(feed, counts));
  }

  public String hookUrl(String token) {
    return publicUrl + "/hooks/" + token;
  }

  private JsonObject config(Feed feed) {
    JsonObject config = feed.config().copy();
    if (feed.hookToken() != null) config.put("hookUrl", hookUrl(feed.hookToken()));
    return config;
  }

  static JsonObject status(FeedStatus s) {
    JsonObject json = new JsonObject()
        .put("active", s.isActive())
        .put("state", s.state().wireName())
        .put("dateChanged", s.dateChanged().toEpochMilli())
        .put("dateChangedISO", s.dateChanged().toString());
    if (s.reason() != null) json.put("reason", s.reason().toJson());
    if (s.captureStoppedAt() != null) json.put("captureStoppedAt", s.captureStoppedAt().toString());
    return json;
  }

  private static JsonObject stats(Feed feed, Map<String, Long> counts) {
    JsonObject json = new JsonObject()
        .put("pending", counts.getOrDefault("pending", 0L))
        .put("delivered", counts.getOrDefault("delivered", 0L))
        .put("dead", counts.getOrDefault("dead", 0L))
        .put("fires", feed.fires());
    if (feed.lastFireAt() != null) json.put("lastFireAt", feed.lastFireAt().toString());
    return json;
  }
}
