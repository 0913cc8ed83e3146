package dev.whiskfeed.deliver;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.Doorbell;
import dev.whiskfeed.store.EventStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The claim loop of one event store. Claims are wake-driven (a producer of this instance, a NOTIFY,
 * the poll timer), fetch again at once after a claim that found work, and arm the store's doorbell
 * when the queue is empty so the next writer rings it ({@link DoorbellArming}). What each claim
 * reads, and when to look again, is the {@link ClaimPlanner}'s decision; its statements run as one
 * {@link ClaimRound}. A feed whose breaker is open is left out of the claims but for one probe event
 * at a time ({@link Breakers}). The leases it holds, and the outcomes that let them go, are its
 * {@link StoreLeases}; whether its store answers, its {@link StoreReachability}. Runs on the
 * verticle's event loop only.
 */
final class StoreWorker implements StoreLeases.Listener {
  private final Vertx vertx;
  private final EventStore store;
  private final FeedRegistry registry;
  private final Dispatcher dispatcher;
  private final ClaimPlanner planner = new ClaimPlanner(System::nanoTime);
  private final StoreStatements statements;

  private final StoreLeases leases;
  private final DoorbellArming doorbell;
  private final StoreReachability reach;
  private State state = State.READY;
  /** The timer of the full claim asked for by a claim since the floor that found nothing; -1: none. */
  private long fullClaimTimer = -1;

  /** Where the claim loop is. */
  private enum State {
    /** No claim in flight: a wake claims. */
    READY,
    /** The last claim was skipped or cut short for lack of room: an outcome written or a fire slot freed wakes it. */
    STARVED,
    CLAIMING,
    /** A wake came while a claim was in flight: claims again right after it. */
    CLAIMING_AGAIN,
    /** Events trickle in: the next claim waits a moment for more (a wake meanwhile changes nothing). */
    GATHERING,
    /** Stopped while a claim was in flight: what it takes is still dispatched, nothing is claimed after it. */
    STOPPING,
    STOPPED;

    boolean claimInFlight() {
      return this == CLAIMING || this == CLAIMING_AGAIN || this == STOPPING;
    }
  }

  StoreWorker(Vertx vertx, EventStore store, FeedRegistry registry, ClaimRepository claims, Dispatcher dispatcher,
              String holder, long leaseMs) {
    this.vertx = vertx;
    this.store = store;
    this.registry = registry;
    this.dispatcher = dispatcher;
    this.statements = new StoreStatements(claims, store, registry, holder, leaseMs);
    OutcomeBatcher.Timers timers = (ms, action) -> vertx.setTimer(ms, id -> action.run());
    this.doorbell = new DoorbellArming(() -> Doorbell.arm(store.pool()), timers, this::wake);
    this.reach = new StoreReachability(store.name(), doorbell::forget);
    this.leases = new StoreLeases(statements, holder, leaseMs, System::nanoTime, timers, dispatcher::unanswered, this);
  }

  EventStore store() {
    return store;
  }

  boolean reachable() {
    return reach.reachable();
  }

  int held() {
    return leases.size();
  }

  /** The leases this worker holds, and the outcomes on their way. */
  StoreLeases leases() {
    return leases;
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
      case GATHERING, STOPPING, STOPPED -> { }
    }
  }

  private void claim() {
    int free = dispatcher.room(leases.size());
    int room = planner.worthClaiming(free, dispatcher.maxHeld()) ? ClaimPlanner.limit(free) : 0;
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
      took(got, looked.lookAgain() || again, looked.gatherMs(), plan.at());
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

  private void took(List<ClaimedEvent> got, boolean lookAgain, long gatherMs, long claimedAt) {
    if (!got.isEmpty()) {
      doorbell.foundWork();
      StoreLeases.Taken taken = leases.take(got, claimedAt);
      taken.logTakeOvers(store.name(), id -> registry.get(id).map(Target::name).orElse(null));
      dispatcher.dispatch(this, taken.byFeed());
    }
    // Claim again at once after any claim that found work, while its fires are in flight: what
    // committed during this claim waits one claim, not one whole claim-fire-acknowledge cycle.
    // The first claim that finds nothing arms the doorbell, so a quiet store costs no polling.
    if (lookAgain && gatherMs > 0 && state == State.READY) {
      state = State.GATHERING;
      vertx.setTimer(gatherMs, id -> {
        if (state == State.GATHERING) {
          state = State.READY;
          wake();
        }
      });
    } else if (lookAgain) {
      vertx.runOnContext(v -> wake());
    } else {
      doorbell.idle();
    }
  }

  /**
   * A fire slot or held event was let go: claims again if the last claim was skipped or cut short
   * for lack of room. A worker with room has claimed what was due already, and arms the doorbell
   * when it runs out, so it needs no wake for this.
   */
  void roomFreed() {
    if (state == State.STARVED) wake();
  }

  @Override
  public void drained(boolean released) {
    if (released) wake();
    else roomFreed();
  }

  /** Records an outcome; the lease is let go in the next ack statement. */
  void ack(Ack a) {
    leases.ack(a);
  }

  /**
   * Completes when the outcomes recorded for {@code events} are in the store. A fire keeps its slot
   * until then, so what a crash can leave fired but unrecorded (and fire again after the restart)
   * stays within the number of concurrent fires, however slow the database is.
   */
  Future<Void> written(List<ClaimedEvent> events) {
    return leases.written(events);
  }

  /** Stops claiming; after in-flight work settled, {@link StoreLeases#releaseAll} hands the rest back. */
  void stopClaiming() {
    state = state.claimInFlight() ? State.STOPPING : State.STOPPED;
  }

  boolean idle() {
    return leases.idle() && !state.claimInFlight();
  }

  @Override
  public void lost(Throwable e) {
    reach.lost(e);
  }

  @Override
  public void connected() {
    reach.connected();
  }
}
