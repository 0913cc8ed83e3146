package dev.whiskfeed.store;

import dev.whiskfeed.config.DbUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Every event store this instance knows: the control database, the named sources of
 * {@code WHISKFEED_SOURCES}, and databases given by a feed's {@code database} URL. A store is
 * migrated (off the event loop) before it is handed out.
 */
public final class EventStores {
  private final Vertx vertx;
  private final EventStore control;
  private final Map<String, DbUrl> sources;
  private final int poolSize;
  private final Map<String, Future<EventStore>> opened = new ConcurrentHashMap<>();
  private final Map<String, EventStore> ready = new ConcurrentHashMap<>();
  private final Map<String, io.vertx.sqlclient.Pool> plain = new ConcurrentHashMap<>();
  private final java.util.List<Consumer<EventStore>> onOpen = new java.util.concurrent.CopyOnWriteArrayList<>();

  public EventStores(Vertx vertx, EventStore control, Map<String, DbUrl> sources, int poolSize) {
    this.vertx = vertx;
    this.control = control;
    this.sources = Map.copyOf(sources);
    this.poolSize = poolSize;
    ready.put(control.name(), control);
    opened.put(control.name(), Future.succeededFuture(control));
  }

  public EventStore control() {
    return control;
  }

  /** Called once for every store that becomes ready after start-up (the delivery engine starts claiming from it). */
  public void onOpen(Consumer<EventStore> listener) {
    onOpen.add(listener);
  }

  public Collection<EventStore> ready() {
    return ready.values();
  }

  public Optional<EventStore> readyStore(String name) {
    return Optional.ofNullable(ready.get(name));
  }

  public boolean hasSource(String name) {
    return sources.containsKey(name);
  }

  public Map<String, DbUrl> sources() {
    return sources;
  }

  /** The URL of a referenced database (null for an unknown source). */
  public DbUrl url(StoreRef ref) {
    if (ref instanceof StoreRef.Source s) return sources.get(s.source());
    if (ref instanceof StoreRef.Url u) return DbUrl.parse(u.url());
    return control.url();
  }

  /**
   * A pool on the referenced database without making it an event store: the store's pool when it
   * is one, else a small pool of its own (a source read only through its WAL, probed by /health).
   */
  public Future<io.vertx.sqlclient.Pool> reach(StoreRef ref) {
    var ready = readyStore(ref.name());
    if (ready.isPresent()) return Future.succeededFuture(ready.get().pool());
    DbUrl url = url(ref);
    if (url == null) return Future.failedFuture(new IllegalArgumentException("unknown source " + ref));
    return Future.succeededFuture(plain.computeIfAbsent(ref.name(), n -> Database.pool(vertx, url, 2)));
  }

  /**
   * Opens the referenced database when it already holds whiskfeed's event table (a source captured
   * by triggers, now or before); fails when it does not, so a source read only through its WAL is
   * never made an event store.
   */
  public Future<EventStore> openIfStore(StoreRef ref) {
    if (readyStore(ref.name()).isPresent() || ref.isControl()) return open(ref);
    return reach(ref)
        .compose(pool -> pool.query("SELECT pg_catalog.to_regclass('whiskfeed.events') IS NOT NULL AS store").execute())
        .compose(rows -> Boolean.TRUE.equals(rows.iterator().next().getBoolean("store")) ? open(ref)
            : Future.failedFuture("no event store in " + ref.name()));
  }

  /** Opens (pool + migrations) the referenced store; the same future for every caller. */
  public Future<EventStore> open(StoreRef ref) {
    String name = ref.name();
    if (ref.isControl()) return Future.succeededFuture(control);
    DbUrl url = url(ref);
    if (url == null) return Future.failedFuture(new IllegalArgumentException("unknown source " + ref));
    Future<EventStore> f = opened.computeIfAbsent(name, n -> migrateAndPool(n, url));
    return f.onFailure(e -> opened.remove(name, f));
  }

  private Future<EventStore> migrateAndPool(String name, DbUrl url) {
    return vertx.<Void>executeBlocking(() -> {
      Migrations.migrateEventStore(url);
      return null;
    }, false).map(v -> {
      EventStore store = new EventStore(name, url, Database.pool(vertx, url, poolSize), Database.claimPool(vertx, url));
      ready.put(name, store);
      onOpen.forEach(l -> l.accept(store));
      return store;
    });
  }

  public Future<Void> close() {
    // a pool made inside the verticle may already have been closed by its undeploy: that is fine
    List<Future<Void>> closing = new ArrayList<>();
    plain.values().forEach(p -> closing.add(p.close().recover(e -> Future.succeededFuture())));
    for (EventStore s : ready.values()) {
      closing.add(s.pool().close().recover(e -> Future.succeededFuture()));
      if (s.claims() != s.pool()) closing.add(s.claims().close().recover(e -> Future.succeededFuture()));
    }
    return Future.join(closing).mapEmpty();
  }
}
