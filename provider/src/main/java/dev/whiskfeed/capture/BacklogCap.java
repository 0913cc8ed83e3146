package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedState;
import dev.whiskfeed.feed.Reason;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.FeedRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WHISKFEED_MAX_PENDING_PER_FEED}: a feed with more pending events than the cap (its trigger
 * deleted, its rules gone, OpenWhisk refusing it for days) is disabled with an {@code AUTO} reason
 * naming the cap, and its capture stops at once, so the cap bounds the event table: a trigger feed's
 * capture triggers are dropped, a WAL feed is skipped by its slot reader ({@link #stoppedCapture}).
 * An UPDATE re-enables the feed and installs its capture again.
 */
public final class BacklogCap {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogCap.class);
  static final String PREFIX = "backlog over ";

  private final Vertx vertx;
  private final Pool control;
  private final EventStores stores;
  private final FeedRepository feeds;
  private final FeedCodec codec;
  private final ChangesRules changes;
  private final EventRepository events = new EventRepository();
  private final long max;
  private final Duration every;
  private long timer = -1;
  private boolean checking;

  public BacklogCap(Vertx vertx, Pool control, EventStores stores, FeedRepository feeds, FeedCodec codec,
                    ChangesRules changes, long max, Duration every) {
    this.vertx = vertx;
    this.control = control;
    this.stores = stores;
    this.feeds = feeds;
    this.codec = codec;
    this.changes = changes;
    this.max = max;
    this.every = every;
  }

  /** The reason of a feed disabled for its backlog. */
  public static Reason reason(long max) {
    return Reason.auto(null, PREFIX + max + " events");
  }

  /** Whether the feed's capture is stopped: disabled for its backlog (a WAL reader skips it). */
  public static boolean stoppedCapture(Feed feed) {
    return feed.status().state() == FeedState.DISABLED && feed.status().reason() != null
        && feed.status().reason().kind() == Reason.Kind.AUTO && feed.status().reason().message() != null
        && feed.status().reason().message().startsWith(PREFIX);
  }

  public void start() {
    timer = vertx.setPeriodic(1, every.toMillis(), id -> check());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** One round over every ready event store. */
  Future<Void> check() {
    if (checking) return Future.succeededFuture();
    checking = true;
    List<Future<Void>> rounds = new ArrayList<>();
    for (EventStore store : List.copyOf(stores.ready())) {
      rounds.add(events.overBacklog(store.pool(), max)
          .compose(ids -> Future.join(ids.stream().map(this::disable).toList()).<Void>mapEmpty()));
    }
    return Future.join(rounds).<Void>mapEmpty().onComplete(ar -> {
      checking = false;
      if (ar.failed()) {
        LOG.warn("{} {}", kv("event", "backlog.check.failed"), kv("error", String.valueOf(ar.cause().getMessage())));
      }
    });
  }

  /** Under the trigger's lifecycle lock: disable, and drop a trigger feed's capture in the same transaction. */
  private Future<Void> disable(long id) {
    Reason why = reason(max);
    return control.withTransaction(tx -> feeds.findById(tx, id).compose(seen -> {
      if (seen.isEmpty()) return Future.succeededFuture();
      return feeds.lock(tx, seen.get().namespace(), seen.get().trigger())
          .compose(v -> feeds.findById(tx, id))
          .compose(row -> {
            if (row.isEmpty()) return Future.succeededFuture();
            Feed feed = codec.toFeed(row.get());
            if (stoppedCapture(feed)) return Future.succeededFuture();
            return feeds.disable(tx, id, why.toJson()).compose(changed -> stopCapture(tx, feed))
                .onSuccess(v -> LOG.warn("{} {} {}", kv("event", "feed.disabled"), kv("feed", feed.feedId().toString()),
                    kv("reason", why.message())));
          });
    })).mapEmpty();
  }

  private Future<Void> stopCapture(io.vertx.sqlclient.SqlConnection tx, Feed feed) {
    if (feed.kind() != FeedKind.CHANGES || WalCapture.isWal(feed)) return Future.succeededFuture();
    return changes.uninstall(tx, feed);
  }
}
