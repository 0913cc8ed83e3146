package dev.whiskfeed.ops;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.StoreRef;
import dev.whiskfeed.store.JobLease;
import dev.whiskfeed.store.Retention;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes delivered events and delivery-log rows past {@code WHISKFEED_RETENTION_HOURS} and dead
 * events past {@code WHISKFEED_DEAD_RETENTION_HOURS}, on every event store, in small batches. One
 * instance at a time runs it (a lease on the {@code retention} row of {@code whiskfeed.jobs},
 * renewed after every batch); every instance checks now and then whether a run is due. Runs on the
 * verticle's event loop.
 */
public final class RetentionJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
  public static final String NAME = "retention";

  /**
   * @param every how long after a run ends the next one is due (cluster-wide)
   * @param check how often each instance asks whether a run is due
   * @param firstCheck delay of the first check after start-up
   */
  public record Settings(String holder, Duration retention, Duration deadRetention, int batch, Duration every,
                         Duration check, Duration firstCheck, Duration lease) {
    public static Settings defaults(String holder, Duration retention, Duration deadRetention) {
      return new Settings(holder, retention, deadRetention, 5000, Duration.ofMinutes(15), Duration.ofMinutes(1),
          Duration.ofSeconds(10), Duration.ofMinutes(2));
    }
  }

  private final Vertx vertx;
  private final EventStores stores;
  private final Pool control;
  private final JobLease leases;
  private final Retention retention;
  private final MeterRegistry meters;
  private final Settings settings;
  private long timer = -1;
  private boolean stopped;
  private boolean running;

  public RetentionJob(Vertx vertx, EventStores stores, JobLease leases, Retention retention, MeterRegistry meters,
                      Settings settings) {
    this.vertx = vertx;
    this.stores = stores;
    this.control = stores.control().pool();
    this.leases = leases;
    this.retention = retention;
    this.meters = meters;
    this.settings = settings;
  }

  public void start() {
    timer = vertx.setTimer(settings.firstCheck().toMillis(), id -> tick());
  }

  /** No new run starts; a run in progress stops after its current batch and hands the lease back. */
  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void tick() {
    if (stopped) return;
    runIfDue().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("{} {}", kv("event", "retention.failed"), kv("error", String.valueOf(ar.cause().getMessage())));
      }
      if (!stopped) timer = vertx.setTimer(settings.check().toMillis(), id -> tick());
    });
  }

  /**
   * Runs when this instance wins the lease and a run is due; the rows deleted per store and what
   * ({@code store → {delivered_events, dead_events, delivery_log}}), or null when it did not run.
   */
  public Future<Map<String, Map<String, Long>>> runIfDue() {
    if (running) return Future.succeededFuture(null);
    return leases.claim(control, NAME, settings.holder(), settings.lease().toMillis(), settings.every().toMillis())
        .compose(won -> {
          if (!won) return Future.succeededFuture(null);
          running = true;
          long t0 = System.nanoTime();
          return purgeAll().compose(deleted -> end(deleted, t0)).eventually(() -> {
            running = false;
            return Future.succeededFuture();
          });
        });
  }

  private Future<Map<String, Map<String, Long>>> end(Map<String, Map<String, Long>> deleted, long t0) {
    Future<Void> ended = stopped ? leases.release(control, NAME, settings.holder())
        : leases.finish(control, NAME, settings.holder());
    return ended.map(v -> {
      LOG.info("{} {} {} {}", kv("event", "retention.run"), kv("deleted", deleted),
          kv("durationMs", (System.nanoTime() - t0) / 1_000_000), kv("complete", !stopped));
      return deleted;
    });
  }

  private Future<Map<String, Map<String, Long>>> purgeAll() {
    return storesToPurge().compose(list -> {
      Map<String, Map<String, Long>> deleted = new TreeMap<>();
      Future<Void> chain = Future.succeededFuture();
      for (EventStore store : list) {
        chain = chain.compose(v -> purgeStore(store).map(counts -> {
          deleted.put(store.name(), counts);
          return null;
        }));
      }
      return chain.map(deleted);
    });
  }

  /** Every ready store and every configured source (opened now if it is not yet); unreachable ones wait for the next run. */
  private Future<List<EventStore>> storesToPurge() {
    List<Future<EventStore>> opening = new ArrayList<>();
    // a source that is no event store has nothing to purge: opening it would make it one
    stores.sources().keySet().forEach(source -> opening.add(stores.openIfStore(new StoreRef.Source(source))));
    return Future.join(opening).otherwiseEmpty().map(v -> {
      Map<String, EventStore> all = new TreeMap<>();
      stores.ready().forEach(s -> all.put(s.name(), s));
      return new ArrayList<>(all.values());
    });
  }

  private Future<Map<String, Long>> purgeStore(EventStore store) {
    Map<String, Long> counts = new LinkedHashMap<>();
    // fires after the events they delivered: an event whose fire is gone counts as delivered long ago
    Future<Void> chain = purge(store, Retention.Kind.DELIVERED_EVENTS, settings.retention(), counts)
        .compose(v -> purge(store, Retention.Kind.FIRES, settings.retention(), counts))
        .compose(v -> purge(store, Retention.Kind.DEAD_EVENTS, settings.deadRetention(), counts));
    if (store.isControl()) chain = chain.compose(v -> purge(store, Retention.Kind.DELIVERY_LOG, settings.retention(), counts));
    return chain.map(counts).recover(e -> {
      if (e instanceof LeaseLost) return Future.failedFuture(e);
      // an unreachable store waits for the next run; the others go on
      LOG.warn("{} {} {}", kv("event", "retention.failed"), kv("store", store.name()),
          kv("error", String.valueOf(e.getMessage())));
      return Future.succeededFuture(counts);
    });
  }

  private Future<Void> purge(EventStore store, Retention.Kind kind, Duration age, Map<String, Long> counts) {
    String what = kind.name().toLowerCase(Locale.ROOT);
    Counter deleted = Counter.builder("whiskfeed.retention.deleted").tags("store", store.name(), "what", what)
        .register(meters);
    counts.put(what, 0L);
    return batches(store, kind, age.toHours(), what, deleted, counts);
  }

  /**
   * One batch after another until a short one. Each batch starts from the previous one's answer, not
   * from a future nested in it: a run over millions of rows is thousands of batches, and a chain of
   * thousands of nested futures completes as one deep call stack (it overflowed at 10M rows).
   */
  private Future<Void> batches(EventStore store, Retention.Kind kind, long hours, String what, Counter deleted,
                               Map<String, Long> counts) {
    Promise<Void> done = Promise.promise();
    nextBatch(store, kind, hours, what, deleted, counts, done);
    return done.future();
  }

  private void nextBatch(EventStore store, Retention.Kind kind, long hours, String what, Counter deleted,
                         Map<String, Long> counts, Promise<Void> done) {
    if (stopped) {
      done.complete();
      return;
    }
    retention.deleteBatch(store.pool(), kind, hours, settings.batch()).compose(n -> {
      deleted.increment(n);
      counts.merge(what, (long) n, Long::sum);
      if (n < settings.batch()) return Future.succeededFuture(false);
      return leases.renew(control, NAME, settings.holder(), settings.lease().toMillis()).compose(held -> held
          ? Future.succeededFuture(true)
          : Future.<Boolean>failedFuture(new LeaseLost()));
    }).onComplete(ar -> {
      if (ar.failed()) done.fail(ar.cause());
      else if (ar.result()) nextBatch(store, kind, hours, what, deleted, counts, done);
      else done.complete();
    });
  }

  /** The lease ran out mid-run and another instance took the job over: this run ends. */
  private static final class LeaseLost extends RuntimeException {
    LeaseLost() {
      super("retention lease lost to another instance", null, false, false);
    }
  }
}
