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
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the capture of {@code changes} feeds that should no longer fill the event table, on a timer:
 *
 * <ul>
 *   <li>{@code WHISKFEED_MAX_PENDING_PER_FEED}: a feed with more pending events than the cap (its
 *       trigger deleted, its rules gone, OpenWhisk refusing it for days) is disabled with an
 *       {@code AUTO} reason naming the cap, and its capture stops at once, so the cap bounds the
 *       event table;
 *   <li>{@code WHISKFEED_DISABLED_CAPTURE_HOURS}: a feed disabled for any other reason keeps
 *       capturing that long (a trigger re-created soon loses nothing), then its capture stops.
 * </ul>
 *
 * A stopped capture is recorded in the feed's {@code captureStoppedAt} (READ shows it): a trigger
 * feed's capture triggers are dropped in the same transaction, a WAL feed is skipped by its slot
 * reader ({@link #stoppedCapture}). UPDATE, UNPAUSE or an admin's enable that re-enables the feed
 * installs its capture again.
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
  private final Duration disabledCapture;
  private final Clock clock;
  private final Duration every;
  private long timer = -1;
  private boolean checking;

  public BacklogCap(Vertx vertx, Pool control, EventStores stores, FeedRepository feeds, FeedCodec codec,
                    ChangesRules changes, long max, Duration disabledCapture, Clock clock, Duration every) {
    this.vertx = vertx;
    this.control = control;
    this.stores = stores;
    this.feeds = feeds;
    this.codec = codec;
    this.changes = changes;
    this.max = max;
    this.disabledCapture = disabledCapture;
    this.clock = clock;
    this.every = every;
  }

  /** The reason of a feed disabled for its backlog. */
  public static Reason reason(long max) {
    return Reason.auto(null, PREFIX + max + " events");
  }

  /** Whether the feed's capture is stopped (a WAL reader skips it). */
  public static boolean stoppedCapture(Feed feed) {
    return feed.status().isCaptureStopped();
  }

  public void start() {
    timer = vertx.setPeriodic(1, every.toMillis(), id -> check());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** One round: feeds over the cap in every ready event store, then feeds disabled for long enough. */
  Future<Void> check() {
    if (checking) return Future.succeededFuture();
    checking = true;
    List<Future<Void>> rounds = new ArrayList<>();
    // read from the rows as stored: decoding a feed opens its sealed secrets, on the event loop
    rounds.add(feeds.all(control).compose(rows -> Future.join(rows.stream()
        .filter(r -> disabledLongEnough(FeedKind.parse(r.kind()), FeedState.parse(r.state()), r.captureStoppedAt(),
            r.dateChanged()))
        .map(r -> stopAfterHours(r.id())).toList())).<Void>mapEmpty());
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

  /** A changes feed disabled, still capturing, since {@code WHISKFEED_DISABLED_CAPTURE_HOURS} or longer. */
  boolean disabledLongEnough(Feed feed) {
    return disabledLongEnough(feed.kind(), feed.status().state(), feed.status().captureStoppedAt(),
        feed.status().dateChanged());
  }

  private boolean disabledLongEnough(FeedKind kind, FeedState state, Instant captureStoppedAt, Instant dateChanged) {
    return kind == FeedKind.CHANGES && state == FeedState.DISABLED && captureStoppedAt == null
        && !dateChanged.plus(disabledCapture).isAfter(clock.instant());
  }

  /** Under the trigger's lifecycle lock, with the feed read again (an UPDATE may have re-enabled it). */
  private Future<Void> stopAfterHours(long id) {
    return control.withTransaction(tx -> lockedFeed(tx, id).compose(found -> {
      if (found.isEmpty() || !disabledLongEnough(found.get())) return Future.succeededFuture();
      Feed feed = found.get();
      return stopCapture(tx, feed).onSuccess(v -> LOG.info("{} {} {}", kv("event", "capture.stopped"),
          kv("feed", feed.feedId().toString()), kv("disabledSince", feed.status().dateChanged().toString())));
    })).mapEmpty();
  }

  private Future<Optional<Feed>> lockedFeed(SqlConnection tx, long id) {
    return feeds.findById(tx, id).compose(seen -> seen.isEmpty() ? Future.succeededFuture(Optional.empty())
        : feeds.lock(tx, seen.get().namespace(), seen.get().trigger())
            .compose(v -> feeds.findById(tx, id))
            .map(row -> row.map(codec::toFeed)));
  }

  /** Under the trigger's lifecycle lock: disable, and drop a trigger feed's capture in the same transaction. */
  private Future<Void> disable(long id) {
    Reason why = reason(max);
    return control.withTransaction(tx -> lockedFeed(tx, id).compose(found -> {
      if (found.isEmpty() || stoppedCapture(found.get())) return Future.succeededFuture();
      Feed feed = found.get();
      return feeds.disable(tx, id, why.toJson()).compose(changed -> stopCapture(tx, feed))
          .onSuccess(v -> LOG.warn("{} {} {}", kv("event", "feed.disabled"), kv("feed", feed.feedId().toString()),
              kv("reason", why.message())));
    })).mapEmpty();
  }

  /** Marks the (disabled) feed's capture stopped; a trigger feed's triggers go, a WAL reader skips it on reload. */
  private Future<Void> stopCapture(SqlConnection tx, Feed feed) {
    if (feed.kind() != FeedKind.CHANGES) return Future.succeededFuture();
    Future<Void> removed = WalCapture.isWal(feed) ? Future.succeededFuture() : changes.uninstall(tx, feed);
    return removed.compose(v -> feeds.stopCapture(tx, feed.id(), clock.instant())).mapEmpty();
  }
}
