package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.InstanceRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many provider instances share the control database now, for dividing a fixed fire pace
 * among them. Each instance beats every {@link #BEAT_EVERY_MS} and counts those that beat within
 * {@link #LIVE_WINDOW_MS}: a new instance is counted by the others within one beat, one killed
 * within the window (meanwhile the survivors fire below the pace, never above it), one stopped
 * gracefully at their next beat. Sharing one bucket through the database instead would cost an
 * UPDATE of a hot row per fire; a heartbeat costs one statement per instance every five seconds.
 * While the control database is unreachable the last count stands. Event loop only.
 */
final class InstanceCount implements IntSupplier {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceCount.class);
  static final long BEAT_EVERY_MS = 5_000;
  static final long LIVE_WINDOW_MS = 15_000;

  private final Vertx vertx;
  private final Pool control;
  private final InstanceRegistry registry;
  private final String holder;
  private volatile int live = 1;
  private long timer = -1;
  private boolean failing;

  InstanceCount(Vertx vertx, Pool control, InstanceRegistry registry, String holder) {
    this.vertx = vertx;
    this.control = control;
    this.registry = registry;
    this.holder = holder;
  }

  /** Beats now and then every {@link #BEAT_EVERY_MS}; completes after the first beat, whatever it came to. */
  Future<Void> start() {
    timer = vertx.setPeriodic(BEAT_EVERY_MS, id -> beat());
    return beat();
  }

  Future<Void> stop() {
    vertx.cancelTimer(timer);
    return registry.leave(control, holder).recover(e -> Future.succeededFuture());
  }

  @Override
  public int getAsInt() {
    return live;
  }

  private Future<Void> beat() {
    return registry.beat(control, holder, LIVE_WINDOW_MS).onSuccess(n -> {
      failing = false;
      if (n != live) LOG.info("{} {} {}", kv("event", "instances.changed"), kv("live", n), kv("holder", holder));
      live = Math.max(1, n);
    }).onFailure(e -> {
      if (!failing) {
        LOG.warn("{} {} {}", kv("event", "instances.beat.failed"), kv("live", live), kv("error", e.getMessage()));
      }
      failing = true;
    }).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }
}
