package dev.whiskfeed.api;

import static dev.whiskfeed.api.HttpApi.authKey;
import static dev.whiskfeed.api.HttpApi.body;
import static dev.whiskfeed.api.HttpApi.reply;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.FeedId;
import dev.whiskfeed.feed.FeedService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.UUID;

/** API.md's lifecycle API and the owner's event operations, under {@code /api/v1/feeds/{ns}/{trigger}}. */
public final class LifecycleRoutes {
  private static final String FEED = "/api/v1/feeds/:ns/:trigger";
  private static final Set<String> STATES = Set.of("pending", "delivered", "dead");

  private final FeedService feeds;

  public LifecycleRoutes(FeedService feeds) {
    this.feeds = feeds;
  }

  public void mount(Router router) {
    router.post(FEED).handler(ctx -> reply(ctx, 200, feeds.create(id(ctx), authKey(ctx), body(ctx))));
    router.get(FEED).handler(ctx -> reply(ctx, 200, feeds.read(id(ctx), authKey(ctx))));
    router.put(FEED).handler(ctx -> reply(ctx, 200, feeds.update(id(ctx), authKey(ctx), body(ctx))));
    router.delete(FEED).handler(ctx -> reply(ctx, 200, feeds.delete(id(ctx), authKey(ctx))));
    router.post(FEED + "/pause").handler(ctx -> reply(ctx, 200, feeds.pause(id(ctx), authKey(ctx))));
    router.post(FEED + "/unpause").handler(ctx -> reply(ctx, 200, feeds.unpause(id(ctx), authKey(ctx))));
    router.post(FEED + "/backfill").handler(ctx -> reply(ctx, 202, feeds.backfill(id(ctx), authKey(ctx), body(ctx))));
    router.post(FEED + "/events").handler(this::manualEvent);
    router.get(FEED + "/events").handler(this::listEvents);
    router.get(FEED + "/events/:eventId").handler(ctx -> reply(ctx, 200,
        feeds.event(id(ctx), authKey(ctx), eventId(ctx.pathParam("eventId")))));
    router.post(FEED + "/events/:eventId/redeliver").handler(this::redeliver);
  }

  private void manualEvent(RoutingContext ctx) {
    reply(ctx, 202, feeds.manualEvent(id(ctx), authKey(ctx), body(ctx))
        .map(eventId -> new JsonObject().put("eventId", eventId.toString())));
  }

  private void listEvents(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state != null && !STATES.contains(state)) {
      throw WhiskfeedException.invalid("state must be one of pending, delivered, dead");
    }
    int limit = limit(ctx.queryParams().get("limit"));
    reply(ctx, 200, feeds.listEvents(id(ctx), authKey(ctx), state, limit)
        .map(events -> new JsonObject().put("events", events)));
  }

  private void redeliver(RoutingContext ctx) {
    UUID eventId = eventId(ctx.pathParam("eventId"));
    reply(ctx, 200, feeds.redeliver(id(ctx), authKey(ctx), eventId)
        .map(v -> new JsonObject().put("status", "success").put("eventId", eventId.toString())));
  }

  static FeedId id(RoutingContext ctx) {
    return new FeedId(ctx.pathParam("ns"), ctx.pathParam("trigger"));
  }

  static int limit(String raw) {
    if (raw == null) return 100;
    if (!raw.matches("\\d{1,4}")) throw WhiskfeedException.invalid("limit must be a whole number from 1 to 1000");
    int n = Integer.parseInt(raw);
    if (n < 1 || n > 1000) throw WhiskfeedException.invalid("limit must be a whole number from 1 to 1000");
    return n;
  }

  static UUID eventId(String raw) {
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw WhiskfeedException.invalid("event id must be a UUID");
    }
  }
}
