package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.EventStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop of one event store. Claims are wake-driven (a producer of this instance, a NOTIFY,
 * the poll timer), fetch again at once after a full batch, and arm the store's doorbell when the
 * queue is empty so the next writer rings it. Acks are written in batches: while one ack statement
 * is in flight, the next ones gather. Runs on the verticle's event loop only.
 */
final class StoreWorker {
  private static final Logger LOG = LoggerFactory.getLogger(StoreWorker.class);
  private static final int CLAIM_LIMIT = 2000;
  private static final long SECOND_LOOK_MS = 25;

  private final Vertx vertx;
  private final EventStore store;
  private final FeedRegistry registry;
  private final ClaimRepository claims;
  private final Dispatcher dispatcher;
  private final String holder;
  private final long leaseMs;

  private final Map<UUID, ClaimedEvent> held = new LinkedHashMap<>();
  private final List<Ack> acks = new ArrayList<>();
  /** Events whose outcome is queued or being written: known here, not yet in the store. */
  private final Set<UUID> acking = new HashSet<>();
  private boolean running = true;
  private boolean claiming;
  private boolean again;
  private boolean flushing;
  private boolean doorbellArmed;
  private boolean reachable = true;
  private long ackRetryMs;
  private static final long MAX_ACK_RETRY_MS = 5_000;

  /** Fires what a worker claimed; reports every event's outcome back through {@link #ack}. */
  interface Dispatcher {
    /** How many more events this worker may take now (free fire slots, bounded by what is held). */
    int room(int held);

    void dispatch(StoreWorker worker, Map<Long, List<ClaimedEvent>> byFeed);
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

  /** Claims now, or right after the claim in flight. Never blocks; safe to call at any rate. */
  void wake() {
    if (!running) return;
    if (claiming) {
      again = true;
      return;
    }
    claim();
  }

  private void claim() {
    int room = Math.min(CLAIM_LIMIT, dispatcher.room(held.size()));
    long[] plain = registry.deliverable(store.name(), false);
    long[] ordered = registry.deliverable(store.name(), true);
    if (room <= 0 || plain.length == 0 && ordered.length == 0) return;
    claiming = true;
    Future<List<ClaimedEvent>> unorderedClaim = plain.length == 0 ? Future.succeededFuture(List.of())
        : claims.claim(store.pool(), holder, leaseMs, plain, room);
    Future<List<ClaimedEvent>> orderedClaim = ordered.length == 0 ? Future.succeededFuture(List.of())
        : claims.claimOrdered(store.pool(), holder, leaseMs, ordered, batchSizes(ordered));
    Future.all(unorderedClaim, orderedClaim).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        lost(ar.cause());
        return;
      }
      connected();
      List<ClaimedEvent> got = new ArrayList<>(unorderedClaim.result());
      got.addAll(orderedClaim.result());
      took(got, got.size() >= room);
    });
  }

  private void took(List<ClaimedEvent> got, boolean full) {
    if (!got.isEmpty()) {
      doorbellArmed = false;
      Map<Long, List<ClaimedEvent>> byFeed = new LinkedHashMap<>();
      for (ClaimedEvent e : got) {
        // our own lease ran out while the store was unreachable and we took the event again: it is
        // already in flight, or its outcome (say, delivered) is waiting to be written; the new claim
        // only renewed the lease, firing it again would be a duplicate
        if (held.containsKey(e.id()) || acking.contains(e.id())) continue;
        held.put(e.id(), e);
        if (e.previousHolder() != null && !e.previousHolder().equals(holder)) {
          LOG.info("{} {} {} {} {}", kv("event", "lease.expired"), kv("feed", registry.get(e.feedId()).map(Target::name)
              .orElse(null)), kv("eventId", e.id()), kv("previousHolder", e.previousHolder()), kv("store", store.name()));
        }
        byFeed.computeIfAbsent(e.feedId(), k -> new ArrayList<>()).add(e);
      }
      dispatcher.dispatch(this, byFeed);
    }
    if (full || again) {
      again = false;
      vertx.runOnContext(v -> wake());
    } else if (got.isEmpty() && !doorbellArmed) {
      armDoorbell();
    }
  }

  /**
   * Idle: ask writers to ring once, then look again so a write racing the arming is not missed: at
   * once, and once more a moment later for a writer that checked the doorbell just before it was
   * armed and committed just after the first look. Anything later still is found by the poll.
   */
  private void armDoorbell() {
    doorbellArmed = true;
    Doorbell.arm(store.pool()).onComplete(ar -> {
      wake();
      vertx.setTimer(SECOND_LOOK_MS, id -> wake());
    });
  }

  /** Records an outcome; the lease is let go in the next ack statement. */
  void ack(Ack a) {
    held.remove(a.id());
    acking.add(a.id());
    acks.add(a);
    flush();
  }

  private void flush() {
    if (flushing || acks.isEmpty()) return;
    flushing = true;
    List<Ack> batch = new ArrayList<>(acks);
    acks.clear();
    claims.ack(store.pool(), holder, batch).onComplete(ar -> {
      if (ar.failed()) {
        // keep the outcomes and write them again shortly; should the lease run out first, another
        // claim fires the events again: at-least-once, never lost
        lost(ar.cause());
        acks.addAll(0, batch);
        ackRetryMs = Math.min(MAX_ACK_RETRY_MS, Math.max(50, ackRetryMs * 2));
        vertx.setTimer(ackRetryMs, id -> {
          flushing = false;
          flush();
        });
        return;
      }
      ackRetryMs = 0;
      batch.forEach(a -> acking.remove(a.id()));
      connected();
      flushing = false;
      if (!acks.isEmpty()) flush();
      else wake();
    });
  }

  /** Keeps the leases of everything still held (queued or in flight) from running out. */
  void renewLeases() {
    if (held.isEmpty() && acks.isEmpty()) return;
    List<UUID> ids = new ArrayList<>(held.keySet());
    acks.forEach(a -> ids.add(a.id()));
    claims.renew(store.pool(), holder, leaseMs, ids.toArray(new UUID[0])).onFailure(this::lost);
  }

  /** Stops claiming; after in-flight work settled, {@link #releaseAll} hands the rest back. */
  void stopClaiming() {
    running = false;
  }

  boolean idle() {
    return !flushing && acks.isEmpty() && !claiming;
  }

  Future<Integer> releaseAll() {
    held.clear();
    acking.clear();
    return claims.releaseAll(store.pool(), holder);
  }

  private int[] batchSizes(long[] feeds) {
    int[] n = new int[feeds.length];
    for (int i = 0; i < feeds.length; i++) n[i] = registry.get(feeds[i]).map(Target::batchSize).orElse(1);
    return n;
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
      LOG.info("{} {}", kv("event", "store.connected"), kv("store", store.name()));
    }
  }

  Map<String, Object> describe() {
    Map<String, Object> out = new HashMap<>();
    out.put("store", store.name());
    out.put("held", held.size());
    out.put("reachable", reachable);
    return out;
  }
}
