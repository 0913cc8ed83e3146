package dev.whiskfeed.api;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.Database;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.UUID;
import static net.logstash.logback.argument.StructuredArguments.kv;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become {@code {"error", "code"}} answers. */
public final class ErrorResponder {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

  private ErrorResponder() {}

  public static void handle(RoutingContext ctx) {
    handle(ctx, 500);
  }

  /** {@code status} is the router's error status, for a context that carries none (e.g. an undecodable path). */
  public static void handle(RoutingContext ctx, int status) {
    Throwable failure = ctx.failure();
    if (failure instanceof WhiskfeedException e) {
      send(ctx, e.status(), e.code().code(), e.getMessage());
    } else if (failure instanceof DecodeException) {
      send(ctx, ErrorCode.MALFORMED_JSON, "unreadable JSON");
    } else if (failure instanceof HttpException e && e.getStatusCode() >= 400 && e.getStatusCode() < 500) {
      // vert.x's own refusals, e.g. ctx.queryParams() on an undecodable query string
      byStatus(ctx, e.getStatusCode());
    } else if (failure == null) {
      byStatus(ctx, ctx.statusCode() >= 400 ? ctx.statusCode() : status);
    } else if (Database.isTransient(failure)) {
      LOG.warn("{} {} {}", kv("event", "request.failed"), kv("path", ctx.normalizedPath()),
          kv("error", "database unavailable: " + failure.getMessage()));
      send(ctx, ErrorCode.DATABASE_UNAVAILABLE);
    } else {
      String id = UUID.randomUUID().toString();
      LOG.error("{} {} {}", kv("event", "request.failed"), kv("path", ctx.normalizedPath()), kv("errorId", id), failure);
      send(ctx, 500, "internal", "internal error; quote " + id + " to the operator");
    }
  }

  private static void byStatus(RoutingContext ctx, int status) {
    switch (status) {
      case 404 -> send(ctx, ErrorCode.NOT_FOUND, "no such resource: " + ctx.request().path());
      case 405 -> send(ctx, ErrorCode.METHOD_NOT_ALLOWED);
      case 413 -> send(ctx, ErrorCode.PAYLOAD_TOO_LARGE, HttpApi.MAX_BODY_BYTES);
      case 415 -> send(ctx, ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      case 400 -> send(ctx, ErrorCode.BAD_REQUEST, "the request's path or query string cannot be decoded");
      default -> send(ctx, status < 400 ? 500 : status, "http_" + status, "request failed with status " + status);
    }
  }

  public static void send(RoutingContext ctx, ErrorCode code, Object... args) {
    send(ctx, code.status(), code.code(), code.format(args));
  }

  public static void send(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended() || ctx.response().closed()) return;
    if (ctx.response().headWritten()) {
      ctx.response().end();
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).put("code", code).encode());
  }

}
