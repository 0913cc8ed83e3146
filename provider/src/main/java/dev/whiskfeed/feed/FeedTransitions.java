package dev.whiskfeed.feed;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.FeedRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The one transition routine of the feed state machine, for the owner's PAUSE and UNPAUSE and the
 * admin's disable and enable: in one control transaction holding the trigger's advisory lock, reads
 * the feed, applies a {@link FeedStatus} step and writes the next status. A step that changes nothing
 * returns the same status and writes nothing, so a repeated call keeps {@code dateChanged}. A step
 * that re-enables a feed whose capture was stopped installs its capture again in the same
 * transaction (UNPAUSE and the admin's enable, as UPDATE does).
 */
final class FeedTransitions {
  /** The feed after the step, and whether its status changed (and was written). */
  record Transition(Feed feed, boolean changed) {}

  private final Pool control;
  private final FeedRepository feeds;
  private final FeedCodec codec;
  private final Function<FeedKind, KindRules> rules;

  FeedTransitions(Pool control, FeedRepository feeds, FeedCodec codec, Function<FeedKind, KindRules> rules) {
    this.control = control;
    this.feeds = feeds;
    this.codec = codec;
    this.rules = rules;
  }

  /** Fails with {@code FEED_NOT_FOUND} without a feed, and with the step's exception when it refuses. */
  Future<Transition> apply(FeedId id, UnaryOperator<FeedStatus> step) {
    return control.withTransaction(tx -> feeds.lock(tx, id.namespace(), id.trigger())
        .compose(locked -> requireFeed(tx, id))
        .compose(feed -> write(tx, feed, step.apply(feed.status()))));
  }

  private Future<Transition> write(SqlConnection tx, Feed feed, FeedStatus next) {
    if (next == feed.status()) return Future.succeededFuture(new Transition(feed, false));
    Feed after = feed.withStatus(next);
    boolean restart = feed.status().isCaptureStopped() && !next.isCaptureStopped();
    return feeds.setStatus(tx, feed.id(), next.state().wireName(),
            next.reason() == null ? null : next.reason().toJson(), next.dateChanged(), next.captureStoppedAt())
        .compose(row -> restart ? rules.apply(feed.kind()).install(tx, after, feed) : Future.succeededFuture())
        .map(v -> new Transition(after, true));
  }

  private Future<Feed> requireFeed(SqlConnection tx, FeedId id) {
    return feeds.find(tx, id.namespace(), id.trigger())
        .map(row -> codec.toFeed(row.orElseThrow(() -> new WhiskfeedException(ErrorCode.FEED_NOT_FOUND, id))));
  }
}
