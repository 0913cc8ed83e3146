package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine disabling a feed on its own account (reason kind AUTO): a fire's answer said so, OpenWhisk
 * throttled every attempt of an event, or the feed reached its maxTriggers. The registry stops firing
 * it at once, ahead of the NOTIFY that will confirm the change. Event loop only.
 */
final class AutoDisable {
  /** The engine's logger: these lines keep the logger they always had. */
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

  private final FeedRegistry registry;
  private final BiFunction<Long, JsonObject, Future<Boolean>> write;

  /** @param write disables a feed with a reason in the control database: true when it changed */
  AutoDisable(FeedRegistry registry, BiFunction<Long, JsonObject, Future<Boolean>> write) {
    this.registry = registry;
    this.write = write;
  }

  /** Disables {@code t}; {@code status}: OpenWhisk's, if an answer caused it. */
  void disable(Target t, Integer status, String message) {
    registry.markDisabled(t.id());
    write.apply(t.id(), reason(status, message)).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        LOG.warn("{} {} {} {}", kv("event", "feed.disabled"), kv("feed", t.name()), kv("statusCode", status),
            kv("reason", message));
      } else if (ar.failed()) {
        LOG.warn("{} {} {}", kv("event", "feed.disable.failed"), kv("feed", t.name()), kv("error", ar.cause().getMessage()));
      }
    });
  }

  static JsonObject reason(Integer status, String message) {
    JsonObject reason = new JsonObject().put("kind", "AUTO");
    if (status != null) reason.put("statusCode", status);
    return reason.put("message", message);
  }
}
