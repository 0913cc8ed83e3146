package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases one worker holds in its store, from claim to outcome: which of a claim's events it
 * newly holds, their leases kept from running out while they wait or are in flight
 * ({@link HeldLeases}), and their outcomes written in batches ({@link OutcomeBatcher}), each letting
 * its lease go; a take-over is logged ({@code lease.expired}). Event loop only.
 */
final class StoreLeases {
  /** The take-over line, logged as {@link StoreWorker} as it always was. */
  private static final Logger LOG = LoggerFactory.getLogger(StoreWorker.class);

  /** The lease statements (against the store, as this instance's holder). */
  interface Statements {
    /**
     * Writes {@code batch}, each outcome of the event at the same index of {@code events} (as the
     * claim that holds it took it); deletes {@code settledClaims}, whose events are all settled.
     */
    Future<?> ack(List<Ack> batch, List<ClaimedEvent> events, long[] settledClaims);

    /** Renews this holder's lease: which of the {@code known} claims are still in the store. */
    Future<Set<Long>> renew(long[] known);

    Future<Integer> releaseAll();
  }

  /** What the worker hears of its store through these leases. */
  interface Listener {
    /** A statement failed: an outcome write is tried again shortly, a renewal at the next round. */
    void lost(Throwable cause);

    /** An outcome write went through. */
    void connected();

    /** Every outcome recorded is written; {@code released}: the last write handed events back due at once. */
    void drained(boolean released);
  }

  /**
   * A claim's events newly held, per feed in the order claimed ({@code byFeed}), and those of them
   * whose lease another holder let run out ({@code takenOver}).
   */
  record Taken(Map<Long, List<ClaimedEvent>> byFeed, Map<Long, List<ClaimedEvent>> takenOver) {
    /**
     * One line per feed and claim for events whose lease another instance let run out (a crash takes
     * over thousands at once): the count, the previous holders and the first event ids.
     */
    void logTakeOvers(String store, LongFunction<String> feedName) {
      takenOver.forEach((feedId, events) -> LOG.info("{} {} {} {} {} {}", kv("event", "lease.expired"),
          kv("feed", feedName.apply(feedId)), kv("events", events.size()),
          kv("eventId", events.stream().limit(10).map(e -> e.id().toString()).collect(Collectors.joining(","))),
          kv("previousHolder", events.stream().map(ClaimedEvent::previousHolder).distinct().collect(Collectors.joining(","))),
          kv("store", store)));
    }
  }

  private final Statements statements;
  private final String holder;
  private final LongSupplier nanos;
  private final Listener listener;
  private final HeldLeases held;
  private final OutcomeBatcher outcomes;
  /** Each held event, as the claim (a row of the store's claims) that holds it took it. */
  private final Map<UUID, ClaimedEvent> claimOf = new HashMap<>();
  /** Per claim, how many of its events are held and have no outcome yet. */
  private final Map<Long, Integer> unsettled = new HashMap<>();
  /** Per outcome recorded and not yet written, its event as its claim took it. */
  private final Map<UUID, ClaimedEvent> outcomeClaim = new HashMap<>();
  /** Outcomes that settle the last held event of their claim: the claim goes with their write. */
  private final Map<UUID, Long> settles = new HashMap<>();
  /** Claims that took nothing this worker did not hold already: deleted with the next write. */
  private final Set<Long> strays = new HashSet<>();

  StoreLeases(Statements statements, String holder, long leaseMs, LongSupplier nanos, OutcomeBatcher.Timers timers,
              IntSupplier unanswered, Listener listener) {
    this.statements = statements;
    this.holder = holder;
    this.nanos = nanos;
    this.listener = listener;
    this.held = new HeldLeases(nanos, leaseMs);
    this.outcomes = new OutcomeBatcher(this::write, timers, unanswered, new OutcomeBatcher.Listener() {
      @Override
      public void failed(Throwable cause) {
        // kept and written again shortly; should the lease run out first, another claim fires the
        // events again: at-least-once, never lost
        listener.lost(cause);
      }

      @Override
      public void written(List<Ack> batch, boolean drained) {
        listener.connected();
        if (drained) listener.drained(released(batch));
      }
    });
  }

  /** A claim made at {@code claimedAt} (nanos) took {@code got}: holds those it did not hold already. */
  Taken take(List<ClaimedEvent> got, long claimedAt) {
    Map<Long, List<ClaimedEvent>> byFeed = new LinkedHashMap<>();
    Map<Long, List<ClaimedEvent>> takenOver = new LinkedHashMap<>();
    Set<Long> claims = new HashSet<>();
    for (ClaimedEvent e : got) {
      claims.add(e.claim());
      // our own lease ran out while the store was unreachable and we took the event again: it is
      // already in flight, or its outcome (say, delivered) is waiting to be written; the new claim
      // only renewed the lease, firing it again would be a duplicate
      if (!held.claimed(e.id(), claimedAt)) {
        moveClaim(e);
        continue;
      }
      if (outcomes.unwritten(e.id())) {
        outcomeClaim.put(e.id(), e);
        continue;
      }
      held.hold(e.id(), claimedAt);
      claimOf.put(e.id(), e);
      unsettled.merge(e.claim(), 1, Integer::sum);
      if (e.previousHolder() != null && !e.previousHolder().equals(holder)) {
        takenOver.computeIfAbsent(e.feedId(), k -> new ArrayList<>()).add(e);
      }
      byFeed.computeIfAbsent(e.feedId(), k -> new ArrayList<>()).add(e);
    }
    claims.forEach(c -> {
      if (!unsettled.containsKey(c)) strays.add(c);
    });
    return new Taken(byFeed, takenOver);
  }

  /** An event held already was listed by a later claim: the later claim holds it now. */
  private void moveClaim(ClaimedEvent e) {
    ClaimedEvent old = claimOf.put(e.id(), e);
    if (old == null || old.claim() == e.claim()) return;
    unsettled.merge(e.claim(), 1, Integer::sum);
    if (unsettled.merge(old.claim(), -1, Integer::sum) == 0) {
      unsettled.remove(old.claim());
      strays.add(old.claim());
    }
  }

  /** Records an outcome; the lease is let go in the next ack statement. */
  void ack(Ack a) {
    held.let(a.id());
    ClaimedEvent e = claimOf.remove(a.id());
    if (e != null) {
      outcomeClaim.put(a.id(), e);
      if (unsettled.merge(e.claim(), -1, Integer::sum) == 0) {
        unsettled.remove(e.claim());
        settles.put(a.id(), e.claim());
      }
    }
    outcomes.add(a);
  }

  /** One outcome statement: the outcomes with their claims, and the claims they settle. */
  private Future<?> write(List<Ack> batch) {
    List<ClaimedEvent> events = new ArrayList<>(batch.size());
    Set<Long> settled = new HashSet<>(strays);
    for (Ack a : batch) {
      // an outcome of an event this worker no longer knows (released meanwhile) matches no claim
      events.add(outcomeClaim.get(a.id()));
      Long c = settles.get(a.id());
      if (c != null) settled.add(c);
    }
    return statements.ack(batch, events, settled.stream().mapToLong(Long::longValue).toArray()).onSuccess(v -> {
      strays.removeAll(settled);
      batch.forEach(a -> {
        outcomeClaim.remove(a.id());
        settles.remove(a.id());
      });
    });
  }

  /** Completes when the outcomes recorded for {@code events} are in the store. */
  Future<Void> written(List<ClaimedEvent> events) {
    return outcomes.written(events);
  }

  /** Completes when every outcome recorded so far is in the store. */
  Future<Void> allWritten() {
    return outcomes.allWritten();
  }

  /**
   * Keeps the leases of everything still held (queued or in flight) from running out: one renewal
   * of this holder's lease, which also deletes the holder's claims this worker does not know (their
   * answer never reached it). The events of claims no longer in the store (taken over) are not
   * renewed. Runs while nothing is held too: a claim it does not know would hold its events.
   */
  void renew() {
    Set<Long> known = new HashSet<>(unsettled.keySet());
    outcomeClaim.values().forEach(e -> known.add(e.claim()));
    long renewedAt = nanos.getAsLong();
    statements.renew(known.stream().mapToLong(Long::longValue).toArray()).onSuccess(alive -> {
      List<UUID> renewed = new ArrayList<>();
      held.ids().forEach(id -> {
        ClaimedEvent e = claimOf.get(id);
        if (e != null && alive.contains(e.claim())) renewed.add(id);
      });
      held.renewed(renewed, renewedAt);
    }).onFailure(listener::lost);
  }

  /** Whether this instance may still start firing {@code id} ({@link HeldLeases#safe}). */
  boolean safe(UUID id) {
    return held.safe(id);
  }

  int size() {
    return held.size();
  }

  /** No outcome is being written nor waits to be. */
  boolean idle() {
    return outcomes.idle();
  }

  /** Hands every lease back at once; whoever waits for an outcome goes on. */
  Future<Integer> releaseAll() {
    held.clear();
    outcomes.forgetAll();
    claimOf.clear();
    unsettled.clear();
    outcomeClaim.clear();
    settles.clear();
    strays.clear();
    return statements.releaseAll();
  }

  /** Events handed back due at once (a feed paused or gone, an unsafe lease): claimed again at once. */
  private static boolean released(List<Ack> batch) {
    for (Ack a : batch) {
      if (!a.attempted() && "pending".equals(a.state())) return true;
    }
    return false;
  }
}
