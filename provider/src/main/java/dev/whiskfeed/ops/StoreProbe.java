package dev.whiskfeed.ops;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.deliver.DeliveryEngine;
import dev.whiskfeed.deliver.FeedRegistry;
import dev.whiskfeed.deliver.WorkerReport;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.StoreRef;
import dev.whiskfeed.store.StoreStats;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at every event store: the control database, every configured source (opened here when it
 * is not yet, so a source that was down at start-up is picked up as soon as it answers) and every
 * database a feed named. A store is up when a {@code SELECT 1} answers within the timeout. The first
 * check of a store and every change of its state are logged ({@code store.connected},
 * {@code store.lost} with {@code check: probe}), whether or not a feed delivers from it: the claim
 * loop logs the same names only for stores it claims from. Use on the verticle's event loop.
 */
public final class StoreProbe {
  private static final Logger LOG = LoggerFactory.getLogger(StoreProbe.class);
  private static final String SOURCE = new StoreRef.Source("").name(); // "source:", the prefix of named sources

  private static final StoreStats.Pending NONE = new StoreStats.Pending(0, false, 0, 0, 0);
  private final EventStores stores;
  private final DeliveryEngine engine;
  private final FeedRegistry feeds;
  private final StoreStats stats;
  private final long timeoutMs;
  private final Map<String, Boolean> lastUp = new HashMap<>();

  /** One store's health: up or not, how long the probe took, why it failed, and whether delivery reaches it. */
  public record StoreCheck(String store, boolean up, long latencyMs, String error, Boolean claiming) {}

  /** One store's delivery state: health, pending figures (null when down), this instance's claim loop (null before it starts). */
  public record StoreState(StoreCheck check, StoreStats.Pending pending, WorkerReport worker) {}

  public StoreProbe(EventStores stores, DeliveryEngine engine, FeedRegistry feeds, StoreStats stats,
                    Duration timeout) {
    this.stores = stores;
    this.engine = engine;
    this.feeds = feeds;
    this.stats = stats;
    this.timeoutMs = timeout.toMillis();
  }

  /** Every store's check, the control database first. */
  public Future<List<StoreCheck>> health() {
    Map<String, WorkerReport> workers = workers();
    return each(name -> check(name, workers.get(name)));
  }

  /** Every store's check and backlog figures, the control database first. */
  public Future<List<StoreState>> states() {
    Map<String, WorkerReport> workers = workers();
    return each(name -> state(name, workers.get(name)));
  }

  private <T> Future<List<T>> each(Function<String, Future<T>> probe) {
    List<Future<T>> all = new ArrayList<>();
    names().forEach(name -> all.add(probe.apply(name)));
    return Future.join(all).map(v -> all.stream().map(Future::result).toList());
  }

  private Future<StoreCheck> check(String name, WorkerReport worker) {
    long t0 = System.nanoTime();
    Boolean claiming = worker == null ? null : worker.reachable();
    return reach(name).compose(stats::ping)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(v -> new StoreCheck(name, true, elapsedMs(t0), null, claiming))
        .otherwise(e -> new StoreCheck(name, false, elapsedMs(t0), describe(e), claiming))
        .map(this::observed);
  }

  /** Logs a store's first check and every change of its state after that; the check unchanged. */
  private StoreCheck observed(StoreCheck c) {
    Boolean before = lastUp.put(c.store(), c.up());
    if (before != null && before == c.up()) return c;
    if (c.up()) {
      LOG.info("{} {} {}", kv("event", "store.connected"), kv("store", c.store()), kv("check", "probe"));
    } else {
      LOG.warn("{} {} {} {}", kv("event", "store.lost"), kv("store", c.store()), kv("check", "probe"),
          kv("error", c.error()));
    }
    return c;
  }

  private Future<StoreState> state(String name, WorkerReport worker) {
    return check(name, worker).compose(c -> !c.up() ? Future.succeededFuture(new StoreState(c, null, worker))
        // a source read only through its WAL holds no events: nothing pending there
        : stores.readyStore(name).isEmpty() ? Future.succeededFuture(new StoreState(c, NONE, worker))
        : store(name).compose(s -> stats.pending(s.pool(), deliverable(name))).timeout(timeoutMs, TimeUnit.MILLISECONDS)
            .map(p -> new StoreState(c, p, worker))
            .otherwise(e -> new StoreState(new StoreCheck(name, false, c.latencyMs(), describe(e), c.claiming()),
                null, worker)));
  }

  /** The active feeds whose events the store holds, ordered or not. */
  private long[] deliverable(String store) {
    return java.util.stream.LongStream.concat(java.util.Arrays.stream(feeds.deliverable(store, false)),
        java.util.Arrays.stream(feeds.deliverable(store, true))).toArray();
  }

  private Future<EventStore> store(String name) {
    Optional<EventStore> ready = stores.readyStore(name);
    if (ready.isPresent()) return Future.succeededFuture(ready.get());
    return stores.open(new StoreRef.Source(name.substring(SOURCE.length())));
  }

  private Future<io.vertx.sqlclient.Pool> reach(String name) {
    if (name.equals(EventStore.CONTROL) || stores.readyStore(name).isPresent()) return store(name).map(EventStore::pool);
    return stores.reach(new StoreRef.Source(name.substring(SOURCE.length())));
  }

  private List<String> names() {
    TreeSet<String> names = new TreeSet<>();
    stores.ready().forEach(s -> names.add(s.name()));
    stores.sources().keySet().forEach(source -> names.add(new StoreRef.Source(source).name()));
    names.remove(EventStore.CONTROL);
    List<String> out = new ArrayList<>();
    out.add(EventStore.CONTROL);
    out.addAll(names);
    return out;
  }

  private Map<String, WorkerReport> workers() {
    return WorkerReport.of(engine).stream().collect(Collectors.toMap(WorkerReport::store, w -> w, (a, b) -> a));
  }

  private static long elapsedMs(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static String describe(Throwable e) {
    if (e instanceof java.util.concurrent.TimeoutException) return "no answer within the probe timeout";
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
    int nl = message.indexOf('\n');
    if (nl > 0) message = message.substring(0, nl);
    return message.length() > 300 ? message.substring(0, 300) : message;
  }
}
