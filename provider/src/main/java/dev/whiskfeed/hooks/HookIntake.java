package dev.whiskfeed.hooks;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.feed.FeedId;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedState;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.HookRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.UUID;

/**
 * Turns a hook request into a durable event (API.md "Hooks"): finds the hook by token, checks the
 * signature, and writes the {@code WEBHOOK} event in the control database. The future succeeds only
 * once the event row is committed. Webhook events always live in the control database.
 */
public final class HookIntake {
  static final String OP = "WEBHOOK";

  /** A hook as one request sees it: its feed, state, limits and opened secret (null when unsigned). */
  public record Hook(long id, FeedId feed, FeedState state, String token, WebhookConfig config, String secret) {}

  private final Pool control;
  private final FeedRepository feeds;
  private final HookRepository hooks;
  private final EventRepository events;
  private final FeedCodec codec;
  private final Runnable eventWritten;

  /** {@code eventWritten} wakes this instance's delivery engine after a commit. */
  public HookIntake(Pool control, FeedRepository feeds, HookRepository hooks, EventRepository events, FeedCodec codec,
                    Runnable eventWritten) {
    this.control = control;
    this.feeds = feeds;
    this.hooks = hooks;
    this.events = events;
    this.codec = codec;
    this.eventWritten = eventWritten;
  }

  /** The accepting hook of {@code token}: 404 when there is none, 410 when its feed is disabled. */
  public Future<Hook> find(String token) {
    if (!HookToken.wellFormed(token)) return Future.failedFuture(notFound());
    return feeds.findByHookToken(control, token).map(row -> {
      Feed feed = row.map(codec::toFeed).filter(f -> f.kind() == FeedKind.WEBHOOK).orElseThrow(HookIntake::notFound);
      Hook hook = new Hook(feed.id(), feed.feedId(), feed.status().state(), token,
          WebhookConfig.parse(feed.config()), feed.secrets().getString(WebhookRules.SECRET));
      requireAccepting(hook.state());
      return hook;
    });
  }

  /** Checks the signature (401, nothing stored), then commits the event; its id once committed. */
  public Future<UUID> store(Hook hook, HookRequest request) {
    if (hook.secret() != null) verify(hook.secret(), request);
    JsonObject payload = new JsonObject().put("data", request.data());
    return control.withTransaction(tx -> insert(tx, hook, payload)).onSuccess(id -> eventWritten.run());
  }

  private Future<UUID> insert(SqlConnection tx, Hook hook, JsonObject payload) {
    // the row lock makes a concurrent DELETE or rotateHook wait for this event (see HookRepository)
    return hooks.lockForIntake(tx, hook.id(), hook.token()).compose(state -> {
      requireAccepting(state.map(FeedState::parse).orElseThrow(HookIntake::notFound));
      return events.insert(tx, hook.id(), OP, payload);
    });
  }

  private static void verify(String secret, HookRequest request) {
    switch (HookSignature.check(secret, request.body().getBytes(), request.signature())) {
      case MISSING -> throw new WhiskfeedException(ErrorCode.UNAUTHORIZED,
          "this hook requires the " + HookSignature.HEADER + " header (sha256=<hex HMAC-SHA256 of the body>)");
      case WRONG -> throw new WhiskfeedException(ErrorCode.UNAUTHORIZED,
          HookSignature.HEADER + " does not match the body and the hook's secret");
      default -> { }
    }
  }

  private static void requireAccepting(FeedState state) {
    // a paused feed still accepts: its events wait for UNPAUSE
    if (state == FeedState.DISABLED) throw new WhiskfeedException(ErrorCode.FEED_DISABLED, "this hook's feed is disabled");
  }

  private static WhiskfeedException notFound() {
    return new WhiskfeedException(ErrorCode.NOT_FOUND, "no hook at this URL");
  }
}
