package dev.whiskfeed.feed;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.AdminRepository;
import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.FeedRow;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's use cases (API.md "Operations", admin table): feeds across namespaces, disable and
 * enable with an {@code ADMIN} reason, events across feeds and stores, redelivery by time range.
 * The caller has checked the admin token. Admin answers never carry a credential: no authKey or
 * secret (READ has none), a {@code database} URL only without its password (as READ shows it), and
 * no {@code hookUrl}, whose last segment is the hook token.
 */
public final class AdminService {
  private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
  static final String DEFAULT_DISABLE_MESSAGE = "Disabled by an admin";
  /** The order event pages walk through the stores: the control store first, then the others by name. */
  private static final Comparator<String> STORE_ORDER =
      Comparator.comparing((String name) -> !EventStore.CONTROL.equals(name)).thenComparing(Comparator.naturalOrder());

  private final Pool control;
  private final FeedRepository feeds;
  private final AdminRepository admin;
  private final EventRepository events = new EventRepository();
  private final FeedService lifecycle;
  private final FeedCodec codec;
  private final FeedView view;
  private final EventStores stores;
  private final Clock clock;
  private final FeedTransitions transitions;
  private final EventHistory history;
  private volatile Runnable onEventWritten = () -> {};
  private volatile Function<Long, Future<Void>> feedChanged = id -> Future.succeededFuture();

  /** Filters of the feed listing; null matches everything. */
  public record FeedFilter(String namespace, FeedKind kind, FeedState state) {}

  /** Where an events page stopped: the store and the last {@code seq} listed there. */
  public record EventCursor(String store, long seq) {
    public String encode() {
      return Base64.getUrlEncoder().withoutPadding().encodeToString((store + "\n" + seq).getBytes(StandardCharsets.UTF_8));
    }

    public static EventCursor decode(String text) {
      try {
        String s = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int nl = s.lastIndexOf('\n');
        return new EventCursor(s.substring(0, nl), Long.parseLong(s.substring(nl + 1)));
      } catch (RuntimeException e) {
        throw WhiskfeedException.invalid("after is not a cursor returned by this listing");
      }
    }
  }

  public AdminService(Pool control, FeedRepository feeds, AdminRepository admin, FeedService lifecycle,
                      FeedCodec codec, FeedView view, EventStores stores, Clock clock) {
    this.control = control;
    this.feeds = feeds;
    this.admin = admin;
    this.lifecycle = lifecycle;
    this.codec = codec;
    this.view = view;
    this.stores = stores;
    this.clock = clock;
    this.transitions = lifecycle.transitions();
    this.history = new EventHistory(control, new EventRepository(), new DeliveryLog());
  }

  /** Called after events were put back to pending (the delivery engine's wake-up). */
  public void onEventWritten(Runnable signal) {
    this.onEventWritten = signal;
  }

  /** Called after a status change committed, before the admin is answered (this instance's registry). */
  public void onFeedChanged(Function<Long, Future<Void>> listener) {
    this.feedChanged = listener;
  }

  /** {@code {"feeds": [READ body…], "next": "<after>"|null}} in id order. */
  public Future<JsonObject> listFeeds(FeedFilter filter, int limit, long after) {
    return admin.feeds(control, filter.namespace(), wire(filter.kind(), FeedKind::wireName),
            wire(filter.state(), FeedState::wireName), after, limit + 1)
        .compose(rows -> {
          List<FeedRow> page = rows.size() > limit ? rows.subList(0, limit) : rows;
          List<Future<JsonObject>> bodies = page.stream().map(codec::toFeed).map(this::readBody).toList();
          String next = rows.size() > limit ? Long.toString(page.get(page.size() - 1).id()) : null;
          return Future.all(bodies).map(v -> new JsonObject()
              .put("feeds", new JsonArray(bodies.stream().map(Future::result).toList()))
              .put("next", next));
        });
  }

  public Future<JsonObject> read(FeedId id) {
    return requireFeed(control, id).compose(this::readBody);
  }

  public Future<JsonObject> disable(FeedId id, String message) {
    Reason reason = Reason.admin(message == null || message.isBlank() ? DEFAULT_DISABLE_MESSAGE : message);
    return transition(id, "feed.disabled", s -> s.disable(reason, clock.instant()));
  }

  public Future<JsonObject> enable(FeedId id) {
    return transition(id, "feed.enabled", s -> s.enable(clock.instant()));
  }

  /** {@code {"events": […], "next": cursor|null}}: newest first within a store, stores in name order. */
  public Future<JsonObject> listEvents(String state, FeedId feed, int limit, EventCursor after) {
    Future<Map<Long, String>> names = feed == null ? admin.feedNames(control)
        : requireFeed(control, feed).map(f -> Map.of(f.id(), f.feedId().toString()));
    Future<List<EventStore>> where = feed == null ? Future.succeededFuture(orderedStores())
        : requireFeed(control, feed).compose(lifecycle::storeOf).map(List::of);
    return Future.all(names, where).compose(v -> {
      List<EventStore> list = where.result().stream()
          .filter(s -> after == null || STORE_ORDER.compare(s.name(), after.store()) >= 0)
          .toList();
      return collect(list, 0, names.result(), state, limit, after, new JsonArray());
    });
  }

  /** The feed's oldest pending age and its fire attempts per minute over the last hour ({@link FeedActivity}). */
  public Future<JsonObject> activity(FeedId id) {
    Instant since = FeedActivity.since(clock.instant());
    return requireFeed(control, id).compose(feed -> {
      Future<Double> age = lifecycle.storeOf(feed).compose(store -> admin.oldestPendingAgeSec(store.pool(), feed.id()));
      Future<Map<Instant, AdminRepository.Attempts>> attempts = admin.attemptsPerMinute(control, feed.id(), since);
      return Future.all(age, attempts)
          .map(v -> FeedActivity.of(since, age.result(), attempts.result()).toJson(id));
    });
  }

  /**
   * One event of any feed with its delivery attempts, naming its feed ({@code /ns/trigger}) and
   * store; 404 when no store holds it or its feed is gone.
   */
  public Future<JsonObject> event(UUID eventId) {
    return history.anywhere(orderedStores(), eventId)
        .compose(located -> located.isEmpty() ? Future.succeededFuture(Optional.empty()) : ofItsFeed(located.get()))
        .map(found -> found.orElseThrow(() -> new WhiskfeedException(ErrorCode.NOT_FOUND,
            "could not find event " + eventId)));
  }

  /** Puts a feed's events of {@code state} created in {@code [from, to)} back to pending; how many. */
  public Future<Integer> redeliver(FeedId id, String state, Instant from, Instant to) {
    return requireFeed(control, id)
        .compose(feed -> lifecycle.storeOf(feed).compose(store -> admin.redeliver(store.pool(), feed.id(), state, from, to)))
        .onSuccess(n -> {
          if (n > 0) onEventWritten.run();
          LOG.info("{} {} {} {} {}", kv("event", "events.redelivered"), kv("feed", id.toString()), kv("state", state),
              kv("count", n), kv("by", "ADMIN"));
        });
  }

  /** Puts one event of the feed back to pending, whatever its state, unless it is being delivered right now. */
  public Future<Void> redeliver(FeedId id, UUID eventId) {
    return requireFeed(control, id).compose(feed -> lifecycle.redeliverOne(feed, eventId))
        .onSuccess(v -> LOG.info("{} {} {} {} {}", kv("event", "events.redelivered"), kv("feed", id.toString()),
            kv("eventId", eventId.toString()), kv("count", 1), kv("by", "ADMIN")));
  }

  // ---- steps

  /** The event with its attempts, its feed's name and its store; empty when the feed is gone. */
  private Future<Optional<JsonObject>> ofItsFeed(EventHistory.Located located) {
    return feeds.findById(control, located.event().feedId()).compose(row -> row.isEmpty()
        ? Future.succeededFuture(Optional.empty())
        : history.withAttempts(located.event()).map(json -> Optional.of(json
            .put("feed", "/" + row.get().namespace() + "/" + row.get().trigger())
            .put("store", located.store()))));
  }

  private Future<JsonObject> collect(List<EventStore> list, int index, Map<Long, String> names, String state,
                                     int limit, EventCursor after, JsonArray acc) {
    if (index >= list.size() || acc.size() >= limit || names.isEmpty()) return Future.succeededFuture(page(acc, null));
    EventStore store = list.get(index);
    long before = after != null && after.store().equals(store.name()) ? after.seq() : Long.MAX_VALUE;
    Long[] ids = names.keySet().toArray(new Long[0]);
    return admin.events(store.pool(), ids, state, before, limit - acc.size()).compose(events -> {
      events.forEach(e -> acc.add(e.json().put("feed", names.get(e.feedId())).put("store", store.name())));
      if (acc.size() >= limit) {
        return Future.succeededFuture(page(acc, new EventCursor(store.name(), events.get(events.size() - 1).seq())));
      }
      return collect(list, index + 1, names, state, limit, after, acc);
    });
  }

  private static JsonObject page(JsonArray events, EventCursor next) {
    return new JsonObject().put("events", events).put("next", next == null ? null : next.encode());
  }

  private List<EventStore> orderedStores() {
    return stores.ready().stream().sorted(Comparator.comparing(EventStore::name, STORE_ORDER)).toList();
  }

  private Future<JsonObject> transition(FeedId id, String event, UnaryOperator<FeedStatus> step) {
    return transitions.apply(id, step)
        .onSuccess(t -> {
          if (!t.changed()) return;
          Reason reason = t.feed().status().reason();
          LOG.info("{} {} {} {}", kv("event", event), kv("feed", id.toString()), kv("by", "ADMIN"),
              kv("reason", reason == null ? null : reason.message()));
        })
        .map(FeedTransitions.Transition::feed)
        .compose(feed -> feedChanged.apply(feed.id()).map(feed))
        .compose(this::readBody)
        .map(body -> new JsonObject().put("status", "success").put("feed", body));
  }

  /**
   * The READ body without {@code config.hookUrl}; when the feed's event store does not answer, stats
   * say so instead of failing the listing.
   */
  private Future<JsonObject> readBody(Feed feed) {
    return lifecycle.readBody(feed)
        .recover(e -> Future.succeededFuture(view.read(feed, Map.of())
            .put("stats", new JsonObject().put("error", "event store unavailable"))))
        .map(body -> {
          body.getJsonObject("config").remove("hookUrl");
          return body;
        });
  }

  private Future<Feed> requireFeed(SqlClient c, FeedId id) {
    return feeds.find(c, id.namespace(), id.trigger())
        .map(row -> codec.toFeed(row.orElseThrow(() -> new WhiskfeedException(ErrorCode.FEED_NOT_FOUND, id))));
  }

  private static <T> String wire(T value, Function<T, String> name) {
    return value == null ? null : name.apply(value);
  }
}
