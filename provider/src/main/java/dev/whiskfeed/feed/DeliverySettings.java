package dev.whiskfeed.feed;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The parameters every feed kind takes (API.md "Common to every kind"), defaults filled, ranges checked. */
public record DeliverySettings(
    int maxTriggers, int maxRetries, int retryIntervalSec, int timeoutSec, int batchSize, int batchMaxBytes,
    boolean ordered) {

  public static final List<String> NAMES =
      List.of("maxTriggers", "maxRetries", "retryIntervalSec", "timeoutSec", "batchSize", "batchMaxBytes", "ordered");

  public static final DeliverySettings DEFAULTS = new DeliverySettings(-1, 12, 1, 30, 1, 900_000, false);

  public static DeliverySettings parse(JsonObject params) {
    int maxTriggers = Params.integer(params, "maxTriggers", -1, -1, Integer.MAX_VALUE);
    if (maxTriggers == 0) throw dev.whiskfeed.error.WhiskfeedException.invalid("the maxTriggers parameter must be -1 (unlimited) or at least 1");
    return new DeliverySettings(
        maxTriggers,
        Params.integer(params, "maxRetries", DEFAULTS.maxRetries, 0, 100),
        Params.integer(params, "retryIntervalSec", DEFAULTS.retryIntervalSec, 1, 3600),
        Params.integer(params, "timeoutSec", DEFAULTS.timeoutSec, 1, 300),
        Params.integer(params, "batchSize", DEFAULTS.batchSize, 1, 1000),
        Params.integer(params, "batchMaxBytes", DEFAULTS.batchMaxBytes, 1024, 1_048_576),
        Params.bool(params, "ordered", DEFAULTS.ordered));
  }

  public JsonObject toJson() {
    return new JsonObject().put("maxTriggers", maxTriggers).put("maxRetries", maxRetries)
        .put("retryIntervalSec", retryIntervalSec).put("timeoutSec", timeoutSec).put("batchSize", batchSize)
        .put("batchMaxBytes", batchMaxBytes).put("ordered", ordered);
  }
}
