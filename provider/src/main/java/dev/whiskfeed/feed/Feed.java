package dev.whiskfeed.feed;

import dev.whiskfeed.store.StoreRef;
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

  /**
   * The database a {@code changes} feed reads its table from (its {@code source} or {@code database}
   * parameter); the control database for the other kinds.
   */
  public StoreRef database() {
    return kind == FeedKind.CHANGES ? StoreRef.of(config.getString("source"), secrets.getString("database"))
        : StoreRef.CONTROL;
  }

  /**
   * The store holding the feed's events: a trigger-captured {@code changes} feed writes them in the
   * database it reads (in the writer's transaction); every other feed, WAL-captured ones included,
   * in the control database.
   */
  public StoreRef eventStore() {
    return kind == FeedKind.CHANGES && !"wal".equals(config.getString("capture")) ? database() : StoreRef.CONTROL;
  }

  /** The kind's own config (common parameters removed). */
  public JsonObject kindConfig() {
    JsonObject out = config.copy();
    DeliverySettings.NAMES.forEach(out::remove);
    return out;
  }
}
