package dev.whiskfeed.feed;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.Backfill;
import dev.whiskfeed.store.BackfillRepository;
import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.FeedRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle use cases of API.md (CREATE, READ, UPDATE, DELETE, PAUSE, UNPAUSE) and the owner's
 * event operations. Every change runs in one control-database transaction that holds the
 * trigger's advisory lock, so concurrent calls on one trigger, through any instance, serialize.
 * Validation happens before any write: bad input changes nothing.
 */
public final class FeedService {
  private static final Logger LOG = LoggerFactory.getLogger(FeedService.class);
  private final Pool control;
  private final FeedRepository feeds;
  private final EventRepository events;
  private final EventStores stores;
  private final FeedCodec codec;
  private final FeedView view;
  private final TriggerAuth auth;
  private final Map<FeedKind, KindRules> rules;
  private final Clock clock;
  private final FeedTransitions transitions;
  private final int maxFeedsPerNamespace;
  private final EventHistory history;
  private final BackfillRepository backfills = new BackfillRepository();
  private volatile Runnable onEventWritten = () -> {};
  private volatile Runnable onBackfillStarted = () -> {};
  private volatile Function<Long, Future<Void>> feedChanged = id -> Future.succeededFuture();

  public FeedService(Pool control, FeedRepository feeds, EventRepository events, EventStores stores, FeedCodec codec,
                     FeedView view, TriggerAuth auth, Map<FeedKind, KindRules> rules, Clock clock,
                     int maxFeedsPerNamespace) {
    this.maxFeedsPerNamespace = maxFeedsPerNamespace;
    this.control = control;
    this.feeds = feeds;
    this.events = events;
    this.stores = stores;
    this.codec = codec;
    this.view = view;
    this.auth = auth;
    this.rules = Map.copyOf(rules);
    this.clock = clock;
    this.transitions = new FeedTransitions(control, feeds, codec, this::rulesFor);
    this.history = new EventHistory(control, events, new DeliveryLog());
  }

  /** Called after this instance committed an event (the delivery engine's in-process wake-up). */
  public void onEventWritten(Runnable signal) {
    this.onEventWritten = signal;
  }

  /** Called after a backfill run was committed, so this instance starts it at once. */
  public void onBackfillStarted(Runnable signal) {
    this.onBackfillStarted = signal;
  }

  /**
   * Called after a lifecycle change committed, before the caller is answered: this instance's
   * delivery sees a PAUSE (or DELETE, UPDATE…) before the owner hears it took effect. Other
   * instances follow through the NOTIFY.
   */
  public void onFeedChanged(Function<Long, Future<Void>> listener) {
    this.feedChanged = listener;
  }

  public Future<JsonObject> create(FeedId id, String key, JsonObject body) {
    FeedKind kind = FeedKind.parse(body.getValue("kind"));
    KindRules kindRules = rulesFor(kind);
    JsonObject params = body.copy();
    params.remove("kind");
    checkNames(kind, params.fieldNames(), false);
    DeliverySettings delivery = DeliverySettings.parse(params);
    boolean backfill = Params.bool(params, "backfill", false);
    return auth.authorize(id, key)
        .compose(v -> inTransaction(tx -> feeds.lock(tx, id.namespace(), id.trigger())
            .compose(locked -> findFeed(tx, id))
            .map(previous -> {
              // replacing a feed is touching it: without verification only its own key may
              previous.ifPresent(feed -> auth.requireStoredKey(feed, key));
              return previous;
            })
            .compose(previous -> previous.isPresent() ? Future.succeededFuture(previous)
                : withinQuota(tx, id.namespace()).map(previous))
            .compose(previous -> kindRules.validate(new KindRules.ValidationInput(id, kindParams(params),
                    params.fieldNames(), new JsonObject(), previous.orElse(null), true, clock.instant(), delivery, tx))
                .compose(valid -> {
                  Feed fresh = new Feed(0, id, kind, merge(delivery, valid.config()), valid.secrets(), key,
                      FeedStatus.active(clock.instant()), delivery, 0, null, valid.hookToken(), 0);
                  // after the capture is installed: the backfill reads once this transaction committed
                  return replace(tx, previous.orElse(null), fresh).compose(stored -> !backfill
                      ? Future.succeededFuture(stored)
                      : kindRules.startBackfill(tx, stored, null).map(started -> stored));
                }))))
        .onSuccess(feed -> {
          logChange("feed.created", feed);
          if (backfill) onBackfillStarted.run();
        })
        .compose(this::settled).compose(this::readBody)
        .map(FeedService::success);
  }

  public Future<JsonObject> read(FeedId id, String key) {
    return authorized(id, key).compose(this::readBody);
  }

  public Future<JsonObject> update(FeedId id, String key, JsonObject body) {
    JsonObject changes = body.copy();
    Object kindValue = changes.remove("kind");
    if (changes.isEmpty()) throw new WhiskfeedException(ErrorCode.NO_UPDATABLE_PARAMETERS);
    return authorized(id, key)
        .compose(current -> {
          if (kindValue != null && FeedKind.parse(kindValue) != current.kind()) {
            throw WhiskfeedException.invalid("kind cannot be changed by UPDATE; CREATE the feed again");
          }
          checkNames(current.kind(), changes.fieldNames(), true);
          JsonObject merged = current.config().copy().mergeIn(changes);
          DeliverySettings delivery = DeliverySettings.parse(merged);
          return inTransaction(tx -> feeds.lock(tx, id.namespace(), id.trigger())
              .compose(locked -> requireFeed(tx, id))
              .compose(locked -> applyUpdate(tx, locked, key, changes, delivery)));
        })
        .onSuccess(feed -> logChange("feed.updated", feed))
        .compose(this::settled).compose(this::readBody)
        .map(FeedService::success);
  }

  public Future<JsonObject> delete(FeedId id, String key) {
    return auth.verify(id, key)
        .compose(status -> status == 404 ? orphanCleanUp(id, key) : Future.succeededFuture(status))
        .map(status -> {
          TriggerAuth.requireSuccess(status);
          return status;
        })
        .compose(v -> inTransaction(tx -> feeds.lock(tx, id.namespace(), id.trigger())
            .compose(locked -> requireFeed(tx, id))
            .map(feed -> {
              auth.requireStoredKey(feed, key);
              return feed;
            })
            .compose(feed -> rulesFor(feed.kind()).uninstall(tx, feed)
                .compose(u -> discardPending(tx, feed))
                .compose(d -> feeds.delete(tx, feed.id()))
                .map(feed.id()))))
        .onSuccess(feedId -> LOG.info("{} {}", kv("event", "feed.deleted"), kv("feed", id.toString())))
        .compose(feedId -> feedChanged.apply(feedId))
        .map(v -> new JsonObject().put("status", "success"));
  }

  public Future<JsonObject> pause(FeedId id, String key) {
    return transition(id, key, "feed.paused", s -> s.pause(clock.instant()));
  }

  public Future<JsonObject> unpause(FeedId id, String key) {
    return transition(id, key, "feed.unpaused", s -> s.unpause(id, clock.instant()));
  }

  /**
   * Starts a backfill of the feed: one BACKFILL event per existing row (matching {@code where} when
   * given); 409 while one is running. Answers the new run's status.
   */
  public Future<JsonObject> backfill(FeedId id, String key, JsonObject body) {
    for (String name : body.fieldNames()) {
      if (!name.equals("where")) throw WhiskfeedException.invalid("a backfill request takes only where, not " + name);
    }
    return authorized(id, key)
        .compose(checked -> inTransaction(tx -> feeds.lock(tx, id.namespace(), id.trigger())
            .compose(locked -> requireFeed(tx, id))
            .compose(feed -> rulesFor(feed.kind()).startBackfill(tx, feed, body.getValue("where"))
                .compose(started -> {
                  if (!started) throw new WhiskfeedException(ErrorCode.BACKFILL_RUNNING, id);
                  return backfills.find(tx, feed.id());
                }))))
        .map(run -> {
          onBackfillStarted.run();
          LOG.info("{} {}", kv("event", "feed.backfill"), kv("feed", id.toString()));
          return new JsonObject().put("status", "success")
              .put("backfill", run.map(Backfill::toJson).orElseThrow());
        });
  }

  /** A MANUAL event carrying {@code data}, delivered like any other. */
  public Future<UUID> manualEvent(FeedId id, String key, JsonObject data) {
    return authorized(id, key)
        .compose(feed -> storeOf(feed).compose(store -> events.insert(store.pool(), feed.id(), "MANUAL",
            new JsonObject().put("data", data))))
        .onSuccess(eventId -> onEventWritten.run());
  }

  public Future<JsonArray> listEvents(FeedId id, String key, String state, int limit) {
    return authorized(id, key)
        .compose(feed -> storeOf(feed).compose(store -> events.list(store.pool(), feed.id(), state, limit)));
  }

  /** One event of the feed with its delivery attempts; 404 for an id that is not this feed's. */
  public Future<JsonObject> event(FeedId id, String key, UUID eventId) {
    return authorized(id, key)
        .compose(feed -> storeOf(feed).compose(store -> history.ofFeed(store, feed.id(), eventId)))
        .map(found -> found.orElseThrow(() -> new WhiskfeedException(ErrorCode.NOT_FOUND, "could not find event "
            + eventId + " of trigger " + id)));
  }

  public Future<Void> redeliver(FeedId id, String key, UUID eventId) {
    return authorized(id, key).compose(feed -> redeliverOne(feed, eventId));
  }

  /** Puts one event of the feed back to pending, whatever its state: 409 while it is in flight, 404 when it is not the feed's. */
  Future<Void> redeliverOne(Feed feed, UUID eventId) {
    return storeOf(feed).compose(store -> events.redeliver(store.pool(), feed.id(), eventId))
        .map(outcome -> {
          switch (outcome) {
            case LEASED -> throw new WhiskfeedException(ErrorCode.EVENT_LEASED, eventId);
            case NOT_FOUND -> throw new WhiskfeedException(ErrorCode.NOT_FOUND, "could not find event " + eventId
                + " of trigger " + feed.feedId());
            default -> {
              onEventWritten.run();
              return null;
            }
          }
        });
  }

  /** The feed's event store (the control database unless its events are captured in a source or database). */
  public Future<EventStore> storeOf(Feed feed) {
    return stores.open(feed.eventStore());
  }

  public Future<JsonObject> readBody(Feed feed) {
    Future<Optional<Backfill>> backfill = feed.kind() == FeedKind.CHANGES ? backfills.find(control, feed.id())
        : Future.succeededFuture(Optional.empty());
    return storeOf(feed).compose(store -> events.counts(store.pool(), feed.id()))
        .compose(counts -> backfill.map(run -> view.read(feed, counts, run.orElse(null))));
  }

  /** The state machine's transitions, which reinstall a re-enabled feed's stopped capture (the admin's too). */
  FeedTransitions transitions() {
    return transitions;
  }

  // ---- steps

  /** A new feed (not a replacement) must leave its namespace within {@code WHISKFEED_MAX_FEEDS_PER_NAMESPACE}. */
  private Future<Void> withinQuota(SqlConnection tx, String namespace) {
    return feeds.lockNamespace(tx, namespace)
        .compose(locked -> feeds.countInNamespace(tx, namespace))
        .map(count -> {
          if (count >= maxFeedsPerNamespace) throw new WhiskfeedException(ErrorCode.QUOTA_EXCEEDED, namespace, count);
          return null;
        });
  }

  private Future<Feed> settled(Feed feed) {
    return feedChanged.apply(feed.id()).map(feed);
  }

  private Future<Feed> authorized(FeedId id, String key) {
    return auth.authorize(id, key)
        .compose(v -> requireFeed(control, id))
        .map(feed -> {
          auth.requireStoredKey(feed, key);
          return feed;
        });
  }

  /**
   * OpenWhisk no longer knows the trigger (the wsk CLI deletes the feed after a failed CREATE, or
   * after deleting the trigger): DELETE may go on when the presented key is the stored one.
   */
  private Future<Integer> orphanCleanUp(FeedId id, String key) {
    return findFeed(control, id).map(f -> f.map(feed -> codec.sameKey(feed, key)).orElse(false) ? 200 : 404);
  }

  private Future<Feed> replace(SqlConnection tx, Feed previous, Feed fresh) {
    Future<Void> removeOld = previous != null && previous.kind() != fresh.kind()
        ? rulesFor(previous.kind()).uninstall(tx, previous) : Future.succeededFuture();
    return removeOld
        .compose(v -> feeds.upsert(tx, codec.toRow(fresh)))
        .map(codec::toFeed)
        .compose(stored -> rulesFor(stored.kind())
            .install(tx, stored, previous != null && previous.kind() == stored.kind() ? previous : null)
            .map(stored));
  }

  /**
   * The presented key replaces the stored one: it passed the same check as the stored key would, and
   * after a key rotation the old one only earns 401s (and an AUTO-disabled feed that stays disabled).
   */
  private Future<Feed> applyUpdate(SqlConnection tx, Feed current, String key, JsonObject changes,
                                   DeliverySettings delivery) {
    FeedStatus next = current.status().update(current.feedId(), clock.instant());
    JsonObject merged = current.kindConfig().mergeIn(kindParams(changes));
    KindRules kindRules = rulesFor(current.kind());
    return kindRules.validate(new KindRules.ValidationInput(current.feedId(), merged, changes.fieldNames(),
            current.secrets(), current, false, clock.instant(), delivery, tx))
        .compose(valid -> {
          Feed updated = new Feed(current.id(), current.feedId(), current.kind(), merge(delivery, valid.config()),
              valid.secrets(), key, next, delivery, current.fires(), current.lastFireAt(),
              valid.hookToken(), current.version());
          return feeds.update(tx, codec.toRow(updated)).map(codec::toFeed)
              .compose(stored -> kindRules.install(tx, stored, current).map(stored));
        });
  }

  private Future<JsonObject> transition(FeedId id, String key, String event, UnaryOperator<FeedStatus> step) {
    return authorized(id, key)
        .compose(checked -> transitions.apply(id, step))
        .onSuccess(t -> {
          if (t.changed()) logChange(event, t.feed());
        })
        .map(FeedTransitions.Transition::feed)
        .compose(this::settled).compose(this::readBody)
        .map(FeedService::success);
  }

  private Future<Void> discardPending(SqlConnection tx, Feed feed) {
    return storeOf(feed).compose(store -> events.discardPending(store.isControl() ? tx : store.pool(), feed.id()))
        .mapEmpty();
  }

  private Future<Optional<Feed>> findFeed(io.vertx.sqlclient.SqlClient c, FeedId id) {
    return feeds.find(c, id.namespace(), id.trigger()).map(row -> row.map(codec::toFeed));
  }

  private Future<Feed> requireFeed(io.vertx.sqlclient.SqlClient c, FeedId id) {
    return findFeed(c, id).map(f -> f.orElseThrow(() -> new WhiskfeedException(ErrorCode.FEED_NOT_FOUND, id)));
  }

  private <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
    return control.withTransaction(work);
  }

  private KindRules rulesFor(FeedKind kind) {
    KindRules r = rules.get(kind);
    if (r == null) throw new IllegalStateException("no rules for kind " + kind);
    return r;
  }

  private void checkNames(FeedKind kind, Set<String> names, boolean update) {
    KindRules kindRules = rulesFor(kind);
    Set<String> allowed = new HashSet<>(DeliverySettings.NAMES);
    allowed.addAll(kindRules.parameters());
    if (update) allowed.addAll(kindRules.updateOnlyParameters());
    for (String name : new LinkedHashSet<>(names)) {
      if (!allowed.contains(name)) throw new WhiskfeedException(ErrorCode.UNKNOWN_PARAMETER, name, kind.wireName());
    }
  }

  private static JsonObject kindParams(JsonObject params) {
    JsonObject out = params.copy();
    DeliverySettings.NAMES.forEach(out::remove);
    return out;
  }

  private static JsonObject merge(DeliverySettings delivery, JsonObject kindConfig) {
    return delivery.toJson().mergeIn(kindConfig);
  }

  /** The fixed-vocabulary line of a lifecycle change: ids and state only, never config or secrets. */
  private static void logChange(String event, Feed feed) {
    LOG.info("{} {} {} {}", kv("event", event), kv("feed", feed.feedId().toString()), kv("kind", feed.kind().wireName()),
        kv("state", feed.status().state().wireName()));
  }

  private static JsonObject success(JsonObject readBody) {
    return new JsonObject().put("status", "success").put("feed", readBody);
  }
}
