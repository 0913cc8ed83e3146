package dev.whiskfeed.feed;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.openwhisk.OpenWhiskClient;
import io.vertx.core.Future;

/**
 * Who may act on a trigger's feed. With verification on, OpenWhisk decides: the presented key must
 * be able to GET the trigger. With it off (development), the key that created a feed is the only
 * key that may touch it afterwards. Keys are compared in constant time.
 */
public final class TriggerAuth {
  private final OpenWhiskClient openwhisk;
  private final boolean verify;
  private final FeedCodec codec;

  public TriggerAuth(OpenWhiskClient openwhisk, boolean verify, FeedCodec codec) {
    this.openwhisk = openwhisk;
    this.verify = verify;
    this.codec = codec;
  }

  /** OpenWhisk's status for this key on this trigger; 200 when verification is off. An unreachable OpenWhisk fails with 503. */
  public Future<Integer> verify(FeedId id, String key) {
    return verify ? check(id, key) : Future.succeededFuture(200);
  }

  private Future<Integer> check(FeedId id, String key) {
    return openwhisk.triggerStatus(id.qualifiedName(), key)
        .recover(e -> Future.failedFuture(new WhiskfeedException(ErrorCode.OPENWHISK_UNAVAILABLE,
            String.valueOf(e.getMessage()))));
  }

  /** Fails with OpenWhisk's status and {@code Trigger authentication request failed.} unless it answered 2xx. */
  public Future<Void> authorize(FeedId id, String key) {
    return verify(id, key).map(status -> {
      requireSuccess(status);
      return null;
    });
  }

  /** With verification off, only the key stored with the feed may use it. */
  public void requireStoredKey(Feed feed, String key) {
    if (!verify && !codec.sameKey(feed, key)) {
      throw new WhiskfeedException(ErrorCode.UNAUTHORIZED, "the authKey does not match the one of trigger " + feed.feedId());
    }
  }

  public static void requireSuccess(int status) {
    if (status / 100 != 2) {
      int passed = status >= 400 && status < 600 ? status : 401;
      throw WhiskfeedException.withStatus(ErrorCode.TRIGGER_AUTH_FAILED, passed);
    }
  }
}
