package dev.whiskfeed.hooks;

import dev.whiskfeed.feed.Params;
import io.vertx.core.json.JsonObject;

/**
 * A webhook feed's limits (API.md "webhook"), defaults filled and ranges checked. The body limit
 * stops at 1 MiB because OpenWhisk takes no larger payload; {@code rateLimitPerSec} 0 means off.
 */
public record WebhookConfig(int maxBodyBytes, int rateLimitPerSec) {
  public static final int MAX_BODY_BYTES = 1024 * 1024;
  public static final int MAX_RATE_PER_SEC = 100_000;

  public static WebhookConfig parse(JsonObject params) {
    return new WebhookConfig(
        Params.integer(params, "maxBodyBytes", MAX_BODY_BYTES, 1, MAX_BODY_BYTES),
        Params.integer(params, "rateLimitPerSec", 0, 0, MAX_RATE_PER_SEC));
  }

  public boolean rateLimited() {
    return rateLimitPerSec > 0;
  }

  public JsonObject toJson() {
    return new JsonObject().put("maxBodyBytes", maxBodyBytes).put("rateLimitPerSec", rateLimitPerSec);
  }
}
