package dev.whiskfeed.feed;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A feed as the provider works with it: identity, kind, effective config (common and kind
 * parameters, no secrets), opened secrets, the trigger's authKey, status and fire count.
 */
public record Feed(
    long id,
    FeedId feedId,
    FeedKind kind,
    JsonObject config,
    JsonObject secrets,
    String authKey,
    FeedStatus status,
    DeliverySettings delivery,
    long fires,
    Instant lastFireAt,
    String hookToken,
    long version) {

  public Feed withStatus(FeedStatus next) {
    return new Feed(id, feedId, kind, config, secrets, authKey, next, delivery, fires, lastFireAt, hookToken, version);
  }

  /** The kind's own config (common parameters removed). */
  public JsonObject kindConfig() {
    JsonObject out = config.copy();
    DeliverySettings.NAMES.forEach(out::remove);
    return out;
  }
}
