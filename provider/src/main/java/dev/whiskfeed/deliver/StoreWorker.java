package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.Doorbell;
import dev.whiskfeed.store.EventStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop of one event store. Claims are wake-driven (a producer of this instance, a NOTIFY,
 * the poll timer), fetch again at once after a claim that found work, and arm the store's doorbell
 * when the queue is empty so the next writer rings it ({@link DoorbellArming}). What each claim
 * reads, and when to look again, is the {@link ClaimPlanner}'s decision; its statements run as one
 * {@link ClaimRound}. A feed whose breaker is open is left out of the claims but for one probe event
 * at a time ({@link Breakers}). Outcomes are written in batches ({@link OutcomeBatcher}). Runs on the
 * verticle's event loop only.
 */
final class StoreWorker {
  private static final Logger LOG = LoggerFactory.getLogger(StoreWorker.class);

  private final Vertx vertx;
  private final EventStore store;
  private final FeedRegistry registry;
  private final ClaimRepository claims;
  private final Dispatcher dispatcher;
  private final String holder;
  private final long leaseMs;
  private final ClaimPlanner planner = new ClaimPlanner(System::nanoTime);
  private final StoreStatements statements;

  private final HeldLeases held;
  private final OutcomeBatcher outcomes;
  private final DoorbellArming doorbell;
  private State state = State.READY;
  /** The timer of the full claim asked for by a claim since the floor that found nothing; -1: none. */
  private long fullClaimTimer = -1;
  private boolean reachable = true;

  /** Where the claim loop is. */
  private enum State {
    /** No claim in flight: a wake claims. */
    READY,
    /** The last claim was skipped or cut short for lack of room: an outcome written or a fire slot freed wakes it. */
    STARVED,
    CLAIMING,
    /** A wake came while a claim was in flight: claims again right after it. */
    CLAIMING_AGAIN,
    /** Stopped while a claim was in flight: what it takes is still dispatched, nothing is claimed after it. */
    STOPPING,
    STOPPED;

    boolean claimInFlight() {
      return this == CLAIMING || this == CLAIMING_AGAIN || this == STOPPING;
    }
  }

  /** Fires what a worker claimed; reports every event's outcome back through {@link #ack}. */
  interface Dispatcher {
    /** How many more events this worker may take now (free fire slots, bounded by what is held). */
    int room(int held);

    void dispatch(StoreWorker worker, Map<Long, List<ClaimedEvent>> byFeed);

    /** Feeds whose fires keep failing: left out of claims, but for one probe event at a time. */
    Breakers breakers();

    /** {@code feeds} without those that have a full fire waiting for their namespace's pace. */
    long[] claimable(long[] feeds);
  }

  StoreWorker(Vertx vertx, EventStore store, FeedRegistry registry, ClaimRepository claims, Dispatcher dispatcher,
              String holder, long leaseMs) {
    this.vertx = vertx;
    this.store = store;
    this.registry = registry;
    this.claims = claims;
    this.dispatcher = dispatcher;
    this.holder = holder;
    this.leaseMs = leaseMs;
    this.statements = new StoreStatements(claims, store, registry, holder, leaseMs);
    this.held = new HeldLeases(System::nanoTime, leaseMs);
    OutcomeBatcher.Timers timers = (ms, action) -> vertx.setTimer(ms, id -> action.run());
    this.doorbell = new DoorbellArming(() -> Doorbell.arm(store.pool()), timers, this::wake);
    this.outcomes = new OutcomeBatcher(batch -> claims.ack(store.pool(), holder, batch), timers,
        new OutcomeBatcher.Listener() {
          @Override
          public void failed(Throwable cause) {
            // kept and written again shortly; should the lease run out first, another claim fires the
            // events again: at-least-once, never lost
            lost(cause);
          }

          @Override
          public void written(List<Ack> batch, boolean drained) {
            connected();
            if (drained) {
              if (released(batch)) wake();
              else roomFreed();
            }
          }
        });
  }

  EventStore store() {
    return store;
  }

  boolean reachable() {
    return reachable;
  }

  int held() {
    return held.size();
  }

  /**
   * Claims every due event now, or right after the claim in flight: for events that may be due since
   * long ago (the poll, a feed resumed or recovered), where {@link #wake} finds recent ones.
   */
  void wakeFully() {
    planner.fullNext();
    wake();
  }

  /** Claims now, or right after the claim in flight. Never blocks; safe to call at any rate. */
  void wake() {
    switch (state) {
      case READY, STARVED -> claim();
      case CLAIMING, CLAIMING_AGAIN -> state = State.CLAIMING_AGAIN;
      case STOPPING, STOPPED -> { }
    }
  }

  private void claim() {
    int room = ClaimPlanner.limit(dispatcher.room(held.size()));
    long[] deliverable = registry.deliverable(store.name(), false);
    long[] ordered = registry.deliverable(store.name(), true);
    if (room <= 0) {
      state = State.STARVED;
      return;
    }
    state = State.READY;
    if (deliverable.length == 0 && ordered.length == 0) return;
    Breakers breakers = dispatcher.breakers();
    long[] plain = dispatcher.claimable(breakers.closed(deliverable));
    long[] probes = breakers.probesDue(deliverable);
    ClaimPlanner.Claim plan = planner.plan(room, plain);
    state = State.CLAIMING;
    ClaimRound.run(statements, plan, ordered, probes, breakers).onComplete(ar -> {
      boolean again = state == State.CLAIMING_AGAIN;
      state = state == State.STOPPING ? State.STOPPED : State.READY;
      if (ar.failed()) {
        lost(ar.cause());
        return;
      }
      connected();
      List<ClaimedEvent> got = ar.result().all();
      ClaimPlanner.Looked looked = planner.claimed(plan, ar.result().unordered(), got.size());
      if (looked.fullClaimInMs() >= 0) fullClaimIn(looked.fullClaimInMs());
      if (looked.cutShort() && state == State.READY) state = State.STARVED;
      took(got, looked.lookAgain() || again, plan.at());
    });
  }

  /** A full claim follows in {@code ms}, unless one is asked for already. */
  private void fullClaimIn(long ms) {
    if (fullClaimTimer >= 0) return;
    fullClaimTimer = vertx.setTimer(ms, id -> {
      fullClaimTimer = -1;
      wakeFully();
    });
  }

  private void took(List<ClaimedEvent> got, boolean lookAgain, long claimedAt) {
    if (!got.isEmpty()) {
      doorbell.foundWork();
      Map<Long, List<ClaimedEvent>> byFeed = new LinkedHashMap<>();
      Map<Long, List<ClaimedEvent>> takenOver = new LinkedHashMap<>();
      for (ClaimedEvent e : got) {
        // our own lease ran out while the store was unreachable and we took the event again: it is
        // already in flight, or its outcome (say, delivered) is waiting to be written; the new claim
        // only renewed the lease, firing it again would be a duplicate
        if (!held.claimed(e.id(), claimedAt) || outcomes.unwritten(e.id())) continue;
        held.hold(e.id(), claimedAt);
        if (e.previousHolder() != null && !e.previousHolder().equals(holder)) {
          takenOver.computeIfAbsent(e.feedId(), k -> new ArrayList<>()).add(e);
        }
        byFeed.computeIfAbsent(e.feedId(), k -> new ArrayList<>()).add(e);
      }
      logTakeOvers(takenOver);
      dispatcher.dispatch(this, byFeed);
    }
    // Claim again at once after any claim that found work, while its fires are in flight: what
    // committed during this claim waits one claim, not one whole claim-fire-acknowledge cycle.
    // The first claim that finds nothing arms the doorbell, so a quiet store costs no polling.
    if (lookAgain) {
      vertx.runOnContext(v -> wake());
    } else {
      doorbell.idle();
    }
  }

  /**
   * One line per feed and claim for events whose lease another instance let run out (a crash takes
   * over thousands at once): the count, the previous holders and the first event ids.
   */
  private void logTakeOvers(Map<Long, List<ClaimedEvent>> takenOver) {
    takenOver.forEach((feedId, events) -> LOG.info("{} {} {} {} {} {}", kv("event", "lease.expired"),
        kv("feed", registry.get(feedId).map(Target::name).orElse(null)), kv("events", events.size()),
        kv("eventId", events.stream().limit(10).map(e -> e.id().toString()).collect(Collectors.joining(","))),
        kv("previousHolder", events.stream().map(ClaimedEvent::previousHolder).distinct().collect(Collectors.joining(","))),
        kv("store", store.name())));
  }

  /**
   * A fire slot or held event was let go: claims again if the last claim was skipped or cut short
   * for lack of room. A worker with room has claimed what was due already, and arms the doorbell
   * when it runs out, so it needs no wake for this.
   */
  void roomFreed() {
    if (state == State.STARVED) wake();
  }

  /** Records an outcome; the lease is let go in the next ack statement. */
  void ack(Ack a) {
    held.let(a.id());
    outcomes.add(a);
  }

  /**
   * Completes when the outcomes recorded for {@code events} are in the store. A fire keeps its slot
   * until then, so what a crash can leave fired but unrecorded (and fire again after the restart)
   * stays within the number of concurrent fires, however slow the database is.
   */
  Future<Void> written(List<ClaimedEvent> events) {
    return outcomes.written(events);
  }

  /** Completes when every outcome recorded so far is in the store. */
  Future<Void> allWritten() {
    return outcomes.allWritten();
  }

  /** Events handed back due at once (a feed paused or gone, an unsafe lease): claimed again at once. */
  private static boolean released(List<Ack> batch) {
    for (Ack a : batch) {
      if (!a.attempted() && "pending".equals(a.state())) return true;
    }
    return false;
  }

  /** Keeps the leases of everything still held (queued or in flight) from running out. */
  void renewLeases() {
    List<UUID> ids = new ArrayList<>(held.ids());
    ids.addAll(outcomes.queued());
    if (ids.isEmpty()) return;
    long renewedAt = System.nanoTime();
    claims.renew(store.pool(), holder, leaseMs, ids.toArray(new UUID[0]))
        .onSuccess(renewed -> held.renewed(renewed, renewedAt))
        .onFailure(this::lost);
  }

  /** Whether this instance may still start firing {@code id} ({@link HeldLeases#safe}). */
  boolean leaseSafe(UUID id) {
    return held.safe(id);
  }

  /** Stops claiming; after in-flight work settled, {@link #releaseAll} hands the rest back. */
  void stopClaiming() {
    state = state.claimInFlight() ? State.STOPPING : State.STOPPED;
  }

  boolean idle() {
    return outcomes.idle() && !state.claimInFlight();
  }

  Future<Integer> releaseAll() {
    held.clear();
    outcomes.forgetAll();
    return claims.releaseAll(store.pool(), holder);
  }

  private void lost(Throwable e) {
    if (reachable) {
      reachable = false;
      LOG.warn("{} {} {}", kv("event", "store.lost"), kv("store", store.name()), kv("error", String.valueOf(e.getMessage())));
    }
  }

  private void connected() {
    if (!reachable) {
      reachable = true;
      doorbell.forget();
      LOG.info("{} {}", kv("event", "store.connected"), kv("store", store.name()));
    }
  }
}
