package dev.whiskfeed.hooks;

import dev.whiskfeed.api.HttpApi;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.hooks.HookIntake.Hook;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /hooks/{token}} (API.md "Hooks"): 202 {@code {"eventId"}} once the event is committed;
 * 404 unknown hook, 410 disabled feed, 413 over {@code maxBodyBytes} (from Content-Length before
 * any byte of the body is read, else while counting), 429 with {@code Retry-After} over
 * {@code rateLimitPerSec}, 401 bad signature. An HTTP/1.1 request refused before its body was read
 * gets {@code Connection: close}; what it still sends is drained, never stored, for at most
 * {@value #LINGER_MS} ms, so the sender reads the answer instead of a reset. On HTTP/2 only the
 * stream is reset, with NO_ERROR, after the answer.
 */
public final class HookRoutes {
  static final long LINGER_MS = 2_000;
  private static final long NO_ERROR = 0;

  private final HookIntake intake;
  private final HookRateLimiter limiter;

  public HookRoutes(HookIntake intake, HookRateLimiter limiter) {
    this.intake = intake;
    this.limiter = limiter;
  }

  public void mount(Router router) {
    router.post("/hooks/:token").handler(this::receive);
  }

  private void receive(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // nothing of the body is read (or lost) until the hook and its limits are known
    request.pause();
    intake.find(ctx.pathParam("token"))
        .map(hook -> admit(ctx, hook))
        .compose(hook -> BodyReader.read(request, hook.config().maxBodyBytes())
            .compose(body -> intake.store(hook, new HookRequest(request.method().name(), query(ctx),
                request.headers(), body))))
        .onSuccess(eventId -> {
          if (!ctx.response().closed()) HttpApi.json(ctx, 202, new JsonObject().put("eventId", eventId.toString()));
        })
        .onFailure(failure -> refuse(ctx, failure));
  }

  private Hook admit(RoutingContext ctx, Hook hook) {
    int max = hook.config().maxBodyBytes();
    if (BodyReader.contentLength(ctx.request()) > max) throw new WhiskfeedException(ErrorCode.PAYLOAD_TOO_LARGE, max);
    long waitSec = limiter.admit(hook.id(), hook.config().rateLimitPerSec());
    if (waitSec > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(waitSec));
      throw new WhiskfeedException(ErrorCode.TOO_MANY_REQUESTS,
          "this hook accepts at most " + hook.config().rateLimitPerSec() + " requests per second");
    }
    return hook;
  }

  private static MultiMap query(RoutingContext ctx) {
    try {
      return ctx.queryParams();
    } catch (RuntimeException e) {
      throw new WhiskfeedException(ErrorCode.BAD_REQUEST, "the query string cannot be decoded");
    }
  }

  private void refuse(RoutingContext ctx, Throwable failure) {
    HttpServerRequest request = ctx.request();
    if (ctx.response().closed()) return; // the sender hung up: nobody to answer, nothing was stored
    if (!request.isEnded()) {
      if (request.version() == HttpVersion.HTTP_2) {
        // other streams share the connection: ask the client to stop sending this body (RFC 9113 8.1)
        ctx.addEndHandler(written -> request.response().reset(NO_ERROR));
      } else {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        ctx.addEndHandler(written -> linger(ctx, request));
      }
    }
    ctx.fail(failure);
  }

  private static void linger(RoutingContext ctx, HttpServerRequest request) {
    HttpConnection connection = request.connection();
    long timer = ctx.vertx().setTimer(LINGER_MS, id -> connection.close());
    request.handler(discarded -> { });
    request.exceptionHandler(e -> { });
    request.endHandler(v -> {
      ctx.vertx().cancelTimer(timer);
      connection.close();
    });
    request.resume();
  }
}
