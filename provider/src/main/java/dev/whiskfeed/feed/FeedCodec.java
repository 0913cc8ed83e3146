package dev.whiskfeed.feed;

import dev.whiskfeed.store.FeedRow;
import dev.whiskfeed.store.HookTokenHash;
import dev.whiskfeed.store.SecretBox;
import io.vertx.core.json.JsonObject;

/**
 * Maps stored rows to feeds and back, sealing and opening secrets with the master key; a hook token
 * is stored as its hash (the lookup) and sealed (for READ).
 */
public final class FeedCodec {
  private final SecretBox box;

  public FeedCodec(SecretBox box) {
    this.box = box;
  }

  public Feed toFeed(FeedRow row) {
    JsonObject secrets = new JsonObject();
    row.secrets().forEach(e -> secrets.put(e.getKey(), box.open((String) e.getValue())));
    FeedStatus status = new FeedStatus(FeedState.parse(row.state()), Reason.fromJson(row.reason()), row.dateChanged(),
        row.captureStoppedAt());
    return new Feed(row.id(), new FeedId(row.namespace(), row.trigger()), FeedKind.parse(row.kind()), row.config(),
        secrets, box.open(row.authKey()), status, DeliverySettings.parse(row.config()), row.fires(), row.lastFireAt(),
        row.hookTokenSealed() == null ? null : box.open(row.hookTokenSealed()), row.version());
  }

  public FeedRow toRow(Feed feed) {
    JsonObject sealed = new JsonObject();
    feed.secrets().forEach(e -> sealed.put(e.getKey(), box.seal(String.valueOf(e.getValue()))));
    FeedStatus s = feed.status();
    return new FeedRow(feed.id(), feed.feedId().namespace(), feed.feedId().trigger(), feed.kind().wireName(),
        feed.config(), sealed, box.seal(feed.authKey()), s.state().wireName(),
        s.reason() == null ? null : s.reason().toJson(), s.dateChanged(), feed.fires(), feed.lastFireAt(),
        feed.hookToken() == null ? null : HookTokenHash.of(feed.hookToken()),
        feed.hookToken() == null ? null : box.seal(feed.hookToken()), feed.version(), s.captureStoppedAt());
  }

  public boolean sameKey(Feed feed, String presented) {
    return SecretBox.same(feed.authKey(), presented);
  }
}
