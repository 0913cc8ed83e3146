package dev.whiskfeed.api;

import io.vertx.ext.web.RoutingContext;

/** Headers of the provider's own web pages (console, API docs). */
final class StaticPages {
  private StaticPages() {}

  static void secure(RoutingContext ctx, String contentSecurityPolicy) {
    ctx.response()
        .putHeader("Content-Security-Policy", contentSecurityPolicy)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-cache");
  }
}
