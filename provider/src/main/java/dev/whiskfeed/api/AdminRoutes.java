package dev.whiskfeed.api;

import static dev.whiskfeed.api.HttpApi.body;
import static dev.whiskfeed.api.HttpApi.reply;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.AdminService;
import dev.whiskfeed.feed.FeedId;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedState;
import dev.whiskfeed.ops.StoreProbe;
import dev.whiskfeed.store.StoreStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The admin API of API.md under {@code /api/v1/admin}: Bearer {@code WHISKFEED_ADMIN_TOKEN},
 * compared in constant time; without a configured token every admin path is a 404, as if the API
 * did not exist.
 */
public final class AdminRoutes {
  private static final String BASE = "/api/v1/admin";
  private static final String FEED = BASE + "/feeds/:ns/:trigger";
  private static final Set<String> EVENT_STATES = Set.of("pending", "delivered", "dead");
  private static final Set<String> REDELIVERABLE = Set.of("dead", "delivered");
  private static final int MAX_MESSAGE = 500;

  private final AdminService admin;
  private final StoreProbe probe;
  private final byte[] tokenDigest;

  public AdminRoutes(AdminService admin, StoreProbe probe, Optional<String> token) {
    this.admin = admin;
    this.probe = probe;
    this.tokenDigest = token.map(AdminRoutes::digest).orElse(null);
  }

  public void mount(Router router) {
    router.route(BASE + "/*").handler(this::authenticate);
    router.get(BASE + "/feeds").handler(this::listFeeds);
    router.get(FEED).handler(ctx -> reply(ctx, 200, admin.read(LifecycleRoutes.id(ctx))));
    router.post(FEED + "/disable").handler(this::disable);
    router.get(FEED + "/activity").handler(ctx -> reply(ctx, 200, admin.activity(LifecycleRoutes.id(ctx))));
    router.post(FEED + "/enable").handler(ctx -> reply(ctx, 200, admin.enable(LifecycleRoutes.id(ctx))));
    router.get(BASE + "/events").handler(this::listEvents);
    router.post(BASE + "/events/redeliver").handler(this::redeliver);
    router.get(BASE + "/events/:eventId").handler(ctx -> reply(ctx, 200,
        admin.event(LifecycleRoutes.eventId(ctx.pathParam("eventId")))));
    router.get(BASE + "/stores").handler(this::stores);
  }

  private void authenticate(RoutingContext ctx) {
    if (tokenDigest == null) {
      throw new WhiskfeedException(ErrorCode.NOT_FOUND, "no such resource: " + ctx.request().path());
    }
    String header = ctx.request().getHeader("Authorization");
    boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    // digests of equal length, compared in constant time: neither the token nor its length leaks
    if (!bearer || !MessageDigest.isEqual(digest(header.substring(7).trim()), tokenDigest)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"whiskfeed-admin\"");
      throw new WhiskfeedException(ErrorCode.UNAUTHORIZED, "the admin API needs Authorization: Bearer <admin token>");
    }
    ctx.next();
  }

  private void listFeeds(RoutingContext ctx) {
    var q = ctx.queryParams();
    String namespace = blankToNull(q.get("namespace"));
    if (namespace != null) FeedId.namespace(namespace);
    FeedKind kind = q.get("kind") == null ? null : FeedKind.parse(q.get("kind"));
    FeedState state = q.get("state") == null ? null : feedState(q.get("state"));
    String after = q.get("after");
    if (after != null && !after.matches("\\d{1,18}")) throw WhiskfeedException.invalid("after must be a feed cursor");
    reply(ctx, 200, admin.listFeeds(new AdminService.FeedFilter(namespace, kind, state),
        LifecycleRoutes.limit(q.get("limit")), after == null ? 0 : Long.parseLong(after)));
  }

  private void disable(RoutingContext ctx) {
    Object message = body(ctx).getValue("message");
    if (message != null && !(message instanceof String)) throw WhiskfeedException.invalid("message must be a string");
    if (message != null && ((String) message).length() > MAX_MESSAGE) {
      throw WhiskfeedException.invalid("message must be at most " + MAX_MESSAGE + " characters");
    }
    reply(ctx, 200, admin.disable(LifecycleRoutes.id(ctx), (String) message));
  }

  private void listEvents(RoutingContext ctx) {
    var q = ctx.queryParams();
    String state = q.get("state");
    if (state != null && !EVENT_STATES.contains(state)) {
      throw WhiskfeedException.invalid("state must be one of pending, delivered, dead");
    }
    FeedId feed = q.get("feed") == null ? null : FeedId.parse(q.get("feed"));
    AdminService.EventCursor after = q.get("after") == null ? null : AdminService.EventCursor.decode(q.get("after"));
    reply(ctx, 200, admin.listEvents(state, feed, LifecycleRoutes.limit(q.get("limit")), after));
  }

  private void redeliver(RoutingContext ctx) {
    JsonObject b = body(ctx);
    if (!(b.getValue("feed") instanceof String feedName)) {
      throw WhiskfeedException.invalid("feed is required: /namespace/trigger");
    }
    if (b.containsKey("event")) {
      redeliverOne(ctx, b, FeedId.parse(feedName));
      return;
    }
    Object stateValue = b.getValue("state", "dead");
    if (!(stateValue instanceof String state) || !REDELIVERABLE.contains(state)) {
      throw WhiskfeedException.invalid("state must be dead or delivered");
    }
    Instant from = instant(b, "from");
    Instant to = instant(b, "to");
    if (from != null && to != null && !from.isBefore(to)) throw WhiskfeedException.invalid("from must be before to");
    reply(ctx, 200, admin.redeliver(FeedId.parse(feedName), state, from, to)
        .map(n -> new JsonObject().put("redelivered", n)));
  }

  private void redeliverOne(RoutingContext ctx, JsonObject b, FeedId feed) {
    if (b.containsKey("state") || b.containsKey("from") || b.containsKey("to")) {
      throw WhiskfeedException.invalid("event cannot be combined with state, from or to");
    }
    UUID event;
    try {
      event = UUID.fromString(String.valueOf(b.getValue("event")));
    } catch (IllegalArgumentException e) {
      throw WhiskfeedException.invalid("event must be an event id (a uuid)");
    }
    reply(ctx, 200, admin.redeliver(feed, event).map(v -> new JsonObject().put("redelivered", 1)));
  }

  private void stores(RoutingContext ctx) {
    reply(ctx, 200, probe.states().map(AdminRoutes::stores));
  }

  static JsonObject stores(List<StoreProbe.StoreState> states) {
    JsonArray out = new JsonArray();
    for (StoreProbe.StoreState s : states) {
      JsonObject store = new JsonObject().put("name", s.check().store()).put("reachable", s.check().up());
      if (s.check().error() != null) store.put("error", s.check().error());
      StoreStats.Pending p = s.pending();
      if (p != null) {
        store.put("backlog", p.backlog()).put("backlogCapped", p.capped())
            .put("oldestPendingAgeSec", Math.round(p.oldestAgeSec() * 1000) / 1000.0)
            .put("oldestDeliverableAgeSec", Math.round(p.oldestDeliverableAgeSec() * 1000) / 1000.0)
            .put("leasesHeld", p.leased());
      }
      store.put("leasesHeldHere", s.worker() == null ? 0 : s.worker().held());
      out.add(store);
    }
    return new JsonObject().put("stores", out);
  }

  /** An ISO-8601 instant or epoch milliseconds; absent is null. */
  static Instant instant(JsonObject body, String name) {
    Object v = body.getValue(name);
    if (v == null) return null;
    if (v instanceof Number n) {
      // exactly a whole number of milliseconds: 1e300 or 1.5 is no instant (longValue() would wrap it)
      try {
        return Instant.ofEpochMilli(new java.math.BigDecimal(n.toString()).longValueExact());
      } catch (ArithmeticException | NumberFormatException e) {
        throw WhiskfeedException.invalid(name + " must be an ISO-8601 instant or a whole number of epoch ms");
      }
    }
    if (v instanceof String s) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw WhiskfeedException.invalid(name + " must be an ISO-8601 instant (2026-11-22T06:00:00Z) or epoch ms");
      }
    }
    throw WhiskfeedException.invalid(name + " must be an ISO-8601 instant or epoch ms");
  }

  private static FeedState feedState(String s) {
    for (FeedState state : FeedState.values()) {
      if (state.wireName().equals(s)) return state;
    }
    throw WhiskfeedException.invalid("state must be one of active, paused, disabled");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
