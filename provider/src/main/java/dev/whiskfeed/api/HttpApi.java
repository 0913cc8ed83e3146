package dev.whiskfeed.api;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.BasicAuth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Consumer;

/** The HTTP surface: one router, JSON errors everywhere (unknown routes, wrong methods, large bodies). */
public final class HttpApi {
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  private HttpApi() {}

  /** A router with the common handlers; {@code mount} adds the routes of each area. */
  public static Router router(Vertx vertx, Consumer<Router> mount) {
    Router router = Router.router(vertx);
    router.get("/ping").handler(ctx -> json(ctx, 200, new JsonObject().put("msg", "pong")));
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    mount.accept(router);
    router.route().failureHandler(ErrorResponder::handle);
    router.errorHandler(404, ErrorResponder::handle);
    router.errorHandler(405, ErrorResponder::handle);
    router.errorHandler(413, ErrorResponder::handle);
    router.errorHandler(500, ErrorResponder::handle);
    return router;
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  /** Answers with the future's JSON, or routes its failure to the error responder. */
  public static void reply(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) json(ctx, status, ar.result());
      else ctx.fail(ar.cause());
    });
  }

  /** The JSON object body of a request that has one; 415 when it is not declared JSON. */
  public static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) return new JsonObject();
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new WhiskfeedException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    }
    return JsonBody.object(ctx.body().buffer());
  }

  /** The authKey from Basic credentials; 401 when absent or malformed. */
  public static String authKey(RoutingContext ctx) {
    return BasicAuth.authKey(ctx.request().getHeader("Authorization")).orElseThrow(() -> new WhiskfeedException(
        ErrorCode.UNAUTHORIZED, "Basic credentials with the trigger's authKey (uuid:key) are required"));
  }
}
