package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.openwhisk.QualifiedName;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.InstanceRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path by which any event reaches OpenWhisk. A {@link StoreWorker} per event store claims
 * leased batches; the engine's {@link FireDispatcher} groups them per feed into fires (batching,
 * oversize) and paces them per namespace ({@link PacedFires}); this engine bounds the fires in flight
 * ({@link FireSlots}), checks a fire can still go ({@link FireCheck}: lease, breaker, pace,
 * maxTriggers, {@link MaxTriggers}), fires through {@link OpenWhiskClient}, and has each answer
 * settled ({@link Settler}: acks, feed status changes, breakers and recovery, the delivery log). Runs
 * on the verticle's event loop only.
 */
public final class DeliveryEngine {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

  /**
   * {@code min/maxConcurrentFires}: the bounds of the fires in flight ({@link FireLimit}; equal: fixed);
   * {@code firesPerMinute}: each namespace's pace over all instances, 0 for adaptive ({@link Pacer}).
   */
  public record Settings(String holder, Duration lease, Duration pollInterval, int maxConcurrentFires,
                         int minConcurrentFires, int firesPerMinute) {}

  private final Vertx vertx;
  private final EventStores stores;
  private final FeedRegistry registry;
  private final OpenWhiskClient openwhisk;
  private final Bookkeeping bookkeeping;
  private final Settings settings;
  private final Breakers breakers;
  private final InstanceCount instances;
  private final OutcomeBatcher.Timers timers;
  private final FireDispatcher dispatcher;
  private final PacedFires pacing;
  private final Clock clock;

  private final StoreWorkers workers;
  private final FireSlots slots;
  private final MaxTriggers maxTriggers;
  private final Settler settler;
  private boolean running;
  private long pollTimer = -1;
  private long renewTimer = -1;

  public DeliveryEngine(Vertx vertx, EventStores stores, FeedRegistry registry, OpenWhiskClient openwhisk,
                        ClaimRepository claims, FeedRepository feeds, DeliveryLog log, Settings settings,
                        DeliveryMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.registry = registry;
    this.openwhisk = openwhisk;
    Pool control = stores.control().pool();
    this.bookkeeping = new Bookkeeping(vertx, control, feeds, log);
    this.settings = settings;
    this.clock = clock;
    this.timers = (ms, action) -> vertx.setTimer(ms, id -> action.run());
    this.workers = new StoreWorkers(vertx, registry, claims, settings.holder(), settings.lease().toMillis());
    this.breakers = new Breakers(System::nanoTime, ms -> vertx.setTimer(Math.max(1, ms), id -> wake()), settings.lease());
    this.instances = new InstanceCount(vertx, control, new InstanceRegistry(), settings.holder());
    Pacer pacer = new Pacer(settings.firesPerMinute(), instances, System::nanoTime);
    this.slots = new FireSlots(new FireLimit(settings.minConcurrentFires(), settings.maxConcurrentFires()), this::start,
        workers::roomFreed);
    AutoDisable disabler = new AutoDisable(registry, (id, reason) -> feeds.disable(control, id, reason));
    this.maxTriggers = new MaxTriggers(id -> feeds.reserveFire(control, id), fire -> send(fire, true), fire -> {
      fire.handBack();
      slots.release();
    }, t -> disabler.disable(t, null, Settlement.MAX_TRIGGERS_MESSAGE));
    this.settler = new Settler(metrics, pacer, new Outages(breakers), maxTriggers, disabler, bookkeeping, claims,
        id -> feeds.unreserveFire(control, id), workers::wakeFully, clock);
    this.dispatcher = new FireDispatcher(registry, breakers, pacer, slots, settler::deadLettered, timers,
        settings.maxConcurrentFires(), () -> running);
    this.pacing = dispatcher.pacing();
  }

  public Future<Void> start() {
    running = true;
    registry.onChange(workers::wakeFully);
    stores.onOpen(store -> vertx.runOnContext(v -> addWorker(store)));
    return Future.join(registry.loadAll(), instances.start()).<Void>mapEmpty().onSuccess(v -> {
      stores.ready().forEach(this::addWorker);
      pollTimer = vertx.setPeriodic(settings.pollInterval().toMillis(), id -> workers.wakeFully());
      // leases are renewed three times per life, so a slow fire never loses its claim
      renewTimer = vertx.setPeriodic(Math.max(100, settings.lease().toMillis() / 3), id -> workers.renewLeases());
      wake();
    });
  }

  /** Claims from every store now (a producer of this instance wrote, or a NOTIFY arrived). */
  public void wake() {
    workers.wake();
  }

  public void wake(String store) {
    workers.wake(store);
  }

  public FeedRegistry registry() {
    return registry;
  }

  public int inFlight() {
    return slots.inFlight();
  }

  /** The fires that may be in flight now ({@link FireLimit}). */
  public int fireLimit() {
    return slots.limit();
  }

  public Collection<StoreWorker> workers() {
    return workers.all();
  }

  private void addWorker(EventStore store) {
    if (running) workers.add(store, dispatcher);
  }

  /** A fire has its slot: {@link FireCheck} decides whether it goes, waits for its pace, or goes back. */
  private void start(Fire fire) {
    Target current = registry.get(fire.feedId()).orElse(null);
    boolean leasesSafe = fire.events().stream().allMatch(e -> fire.worker().leases().safe(e.id()));
    switch (FireCheck.before(leasesSafe, current, breakers.mayFire(fire.feedId(), fire.events()), pacing.delay(fire))) {
      case LEASE_LOST -> {
        LOG.warn("{} {} {} {}", kv("event", "lease.expired"), kv("feed", fire.target().name()),
            kv("eventId", fire.ids()), kv("holder", settings.holder()));
        notFired(fire);
      }
      case HAND_BACK -> notFired(fire);
      case WAIT_FOR_PACE -> {
        pacing.waitAgain(fire);
        slots.release();
      }
      case FIRE -> {
        pacing.started(fire);
        send(fire, false);
      }
      case RESERVE -> {
        pacing.started(fire);
        maxTriggers.reserve(fire, current);
      }
    }
  }

  /** A fire that will not go: its events go back, the namespace's next fire may go, its slot is free. */
  private void notFired(Fire fire) {
    fire.handBack();
    pacing.dropped(fire);
    slots.release();
  }

  private void send(Fire fire, boolean reserved) {
    long t0 = System.nanoTime();
    slots.sent();
    fireOnce(fire).onComplete(ar -> {
      slots.answered();
      int latencyMs = (int) ((System.nanoTime() - t0) / 1_000_000);
      FireOutcome outcome = ar.succeeded() ? ar.result() : FireOutcome.failure(ar.cause());
      settle(fire, outcome, reserved, latencyMs);
      fire.worker().written(fire.events()).onComplete(w -> slots.done(System.nanoTime() - t0));
    });
  }

  /** One POST of the fire's events, its answer classified when it came (a Retry-After date counts from then). */
  private Future<FireOutcome> fireOnce(Fire fire) {
    Target t = fire.target();
    return openwhisk.fire(new QualifiedName(t.namespace(), t.trigger()), t.authKey(), fire.body(), fire.ids(),
            Duration.ofSeconds(t.timeoutSec()))
        .map(a -> FireOutcome.classify(a.status(), a.retryAfter(), a.activationId(), a.body(), clock.instant()));
  }

  private void settle(Fire fire, FireOutcome outcome, boolean reserved, int latencyMs) {
    settler.settle(fire, outcome, reserved, latencyMs);
  }

  // ---- graceful stop

  /** Stops claiming, lets fires in flight finish within {@code grace}, then hands every lease back at once. */
  public Future<Void> stop(Duration grace) {
    running = false;
    bookkeeping.stopping();
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(renewTimer);
    workers.stopClaiming();
    slots.clearWaiting();
    pacing.clear();
    return GracePeriod.await(this::settled, grace, System::nanoTime, timers)
        .compose(v -> workers.releaseAll())
        .compose(v -> bookkeeping.flush())
        .compose(v -> instances.stop())
        .onSuccess(v -> LOG.info("{} {}", kv("event", "delivery.stopped"), kv("holder", settings.holder())))
        .mapEmpty();
  }

  /** No fire is in flight, no claim runs and every outcome is written. */
  private boolean settled() {
    return slots.inFlight() == 0 && workers.idle();
  }
}
