package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one worker's store answers, as its claims, renewals and outcome writes last found it:
 * {@code store.lost} at the first failure, {@code store.connected} at the next success (no
 * {@code check} field: the probe behind {@code /health} logs its own). A store that was out of reach
 * may have lost its doorbell's arming ({@code reconnected}). Event loop only.
 */
final class StoreReachability {
  /** The claim loop's lines, logged as {@link StoreWorker} as they always were. */
  private static final Logger LOG = LoggerFactory.getLogger(StoreWorker.class);

  private final String store;
  private final Runnable reconnected;
  private boolean reachable = true;

  StoreReachability(String store, Runnable reconnected) {
    this.store = store;
    this.reconnected = reconnected;
  }

  boolean reachable() {
    return reachable;
  }

  void lost(Throwable e) {
    if (reachable) {
      reachable = false;
      LOG.warn("{} {} {}", kv("event", "store.lost"), kv("store", store), kv("error", String.valueOf(e.getMessage())));
    }
  }

  void connected() {
    if (!reachable) {
      reachable = true;
      reconnected.run();
      LOG.info("{} {}", kv("event", "store.connected"), kv("store", store));
    }
  }
}
