package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.EventStore;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's claim loops: one {@link StoreWorker} per event store, made when the store opens, and
 * what the engine asks of all of them at once (wakes, renewals, the graceful stop). Event loop only.
 */
final class StoreWorkers {
  private final Vertx vertx;
  private final FeedRegistry registry;
  private final ClaimRepository claims;
  private final String holder;
  private final long leaseMs;
  private final Map<String, StoreWorker> workers = new ConcurrentHashMap<>();

  StoreWorkers(Vertx vertx, FeedRegistry registry, ClaimRepository claims, String holder, long leaseMs) {
    this.vertx = vertx;
    this.registry = registry;
    this.claims = claims;
    this.holder = holder;
    this.leaseMs = leaseMs;
  }

  /** {@code store} is open: its worker (made the first time, handing its claims to {@code dispatcher}) claims. */
  void add(EventStore store, Dispatcher dispatcher) {
    workers.computeIfAbsent(store.name(), n -> new StoreWorker(vertx, store, registry, claims, dispatcher, holder,
        leaseMs)).wake();
  }

  Collection<StoreWorker> all() {
    return workers.values();
  }

  /** Every worker claims now, or right after its claim in flight. */
  void wake() {
    workers.values().forEach(StoreWorker::wake);
  }

  /** The worker of {@code store}, if any, claims now, or right after its claim in flight. */
  void wake(String store) {
    StoreWorker w = workers.get(store);
    if (w != null) w.wake();
  }

  /** Claims every due event from every store: the poll, a feed changed, a feed's breaker closed. */
  void wakeFully() {
    workers.values().forEach(StoreWorker::wakeFully);
  }

  /** A fire slot was let go ({@link StoreWorker#roomFreed}). */
  void roomFreed() {
    workers.values().forEach(StoreWorker::roomFreed);
  }

  void renewLeases() {
    workers.values().forEach(w -> w.leases().renew());
  }

  void stopClaiming() {
    workers.values().forEach(StoreWorker::stopClaiming);
  }

  /** No worker has a claim in flight or an outcome unwritten. */
  boolean idle() {
    return workers.values().stream().allMatch(StoreWorker::idle);
  }

  /** Every worker hands every lease back at once ({@link StoreLeases#releaseAll}). */
  CompositeFuture releaseAll() {
    return Future.join(workers.values().stream().map(w -> w.leases().releaseAll()).toList());
  }
}
