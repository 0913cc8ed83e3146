package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LISTEN connection of one store, with reconnect and capped backoff. A notification is only a
 * hint: after every (re)subscription the store is scanned, so nothing depends on one arriving.
 */
public final class StoreListener {
  private static final Logger LOG = LoggerFactory.getLogger(StoreListener.class);
  private static final long MAX_BACKOFF_MS = 10_000;

  private final PgSubscriber subscriber;
  private final String store;

  private StoreListener(PgSubscriber subscriber, String store) {
    this.subscriber = subscriber;
    this.store = store;
  }

  /** Listens on each channel of {@code handlers}; a handler gets the notification's payload. */
  public static StoreListener start(Vertx vertx, String store, PgConnectOptions options,
                                    Map<String, Consumer<String>> handlers) {
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, options);
    subscriber.reconnectPolicy(attempt -> Math.min(MAX_BACKOFF_MS, 100L << Math.min(attempt, 7)));
    handlers.forEach((channel, handler) -> subscriber.channel(channel)
        .subscribeHandler(v -> handler.accept(null))
        .handler(handler::accept));
    StoreListener listener = new StoreListener(subscriber, store);
    listener.connect(vertx, 0);
    return listener;
  }

  private void connect(Vertx vertx, int attempt) {
    subscriber.connect().onFailure(e -> {
      if (attempt == 0) {
        LOG.warn("{} {} {}", kv("event", "store.listen.failed"), kv("store", store), kv("error", e.getMessage()));
      }
      vertx.setTimer(Math.min(MAX_BACKOFF_MS, 100L << Math.min(attempt, 7)), id -> {
        if (!subscriber.closed()) connect(vertx, attempt + 1);
      });
    });
  }

  public boolean connected() {
    return subscriber.actualConnection() != null && !subscriber.closed();
  }

  public Future<Void> close() {
    return subscriber.close();
  }
}
