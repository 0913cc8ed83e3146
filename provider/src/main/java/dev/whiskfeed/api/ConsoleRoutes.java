package dev.whiskfeed.api;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The operator console of API.md, {@code GET /console}: static files from the jar
 * ({@code whiskfeed/console}) that work over the admin API with the token the operator types in.
 * The page holds no data. Like the admin API it is a 404 when no admin token is configured.
 */
public final class ConsoleRoutes {
  static final String ROOT = "whiskfeed/console";
  /** Scripts, styles and API calls from this origin only; no inline script or style, no framing. */
  static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final boolean enabled;

  public ConsoleRoutes(boolean adminTokenConfigured) {
    this.enabled = adminTokenConfigured;
  }

  public void mount(Router router) {
    StaticHandler files = StaticHandler.create(ROOT).setCachingEnabled(false).setDirectoryListing(false);
    router.get("/console").handler(this::guard).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8").sendFile(ROOT + "/index.html"));
    router.get("/console/*").handler(this::guard).handler(files);
  }

  private void guard(RoutingContext ctx) {
    if (!enabled) throw new WhiskfeedException(ErrorCode.NOT_FOUND, "no such resource: " + ctx.request().path());
    StaticPages.secure(ctx, POLICY);
    ctx.next();
  }
}
