package dev.whiskfeed.api;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.openwhisk.BasicAuth;
import io.vertx.core.Future;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
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
    // what the router refuses before any route runs (an undecodable path or query string) answers JSON too
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, ctx -> ErrorResponder.handle(ctx, status));
    }
    return router;
  }

  /**
   * A request the HTTP decoder refused before the router saw it: a request line over
   * {@value HttpServerOptions#DEFAULT_MAX_INITIAL_LINE_LENGTH} bytes (414), headers over
   * {@value HttpServerOptions#DEFAULT_MAX_HEADER_SIZE} bytes (431), or no HTTP at all (400). It gets
   * the same JSON error as any other; the server closes the connection once it is sent.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ErrorCode code;
    Object[] args;
    if (cause instanceof TooLongHttpLineException) {
      code = ErrorCode.URI_TOO_LONG;
      args = new Object[] {HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH};
    } else if (cause instanceof TooLongHttpHeaderException) {
      code = ErrorCode.HEADERS_TOO_LARGE;
      args = new Object[] {HttpServerOptions.DEFAULT_MAX_HEADER_SIZE};
    } else {
      code = ErrorCode.BAD_REQUEST;
      args = new Object[] {"the request is not HTTP this server can read"};
    }
    request.response().setStatusCode(code.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(new JsonObject().put("error", code.format(args)).put("code", code.code()).encode());
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
