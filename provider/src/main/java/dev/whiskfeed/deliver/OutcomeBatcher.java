package dev.whiskfeed.deliver;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The outcomes of one store's events on their way into the store, written in batches of one
 * statement each: those recorded while a write is in flight gather and go together after it
 * committed. With no write in flight, what is queued goes at once when no fire awaits its answer;
 * otherwise it waits up to {@link #LINGER_MS} for those answers to join it. So the
 * batches grow with the load and the database's latency, a quiet store's outcome waits for nothing,
 * and a busy one does not spend a statement (its parse, plan and commit) on every few outcomes:
 * with a few dozen fires in flight, one at a time made batches of about five outcomes.
 *
 * <p>A failed write is tried again after a backoff ({@link #FIRST_RETRY_MS}, doubling, at most
 * {@link #MAX_RETRY_MS}), its outcomes ahead of those recorded since: none is dropped. Should an
 * event's lease run out meanwhile, another claim fires it again (at-least-once, never lost). Each
 * outcome completes its future when its write committed ({@link #written}). Event loop only.
 */
final class OutcomeBatcher {
  static final long FIRST_RETRY_MS = 50;
  static final long MAX_RETRY_MS = 5_000;
  /** The longest an outcome waits for the answers of fires in flight before it is written. */
  static final long LINGER_MS = 1;

  /** Runs {@code action} in {@code ms} (a Vert.x timer; a test runs it when it likes). */
  interface Timers {
    void after(long ms, Runnable action);
  }

  /** What the owner hears of the writes. */
  interface Listener {
    /** A write failed; it is tried again after the backoff. */
    void failed(Throwable cause);

    /** {@code batch} is in the store; {@code drained}: no outcome waits for another write. */
    void written(List<Ack> batch, boolean drained);
  }

  private final Function<List<Ack>, Future<?>> write;
  private final Timers timers;
  private final IntSupplier unanswered;
  private final Listener listener;
  /** Outcomes recorded and not yet in a write, oldest first. */
  private final List<Ack> queued = new ArrayList<>();
  /** Outcomes recorded and not yet in the store, by event: completed when the write holding them commits. */
  private final Map<UUID, Promise<Void>> unwritten = new HashMap<>();
  /** A write is in flight, or waits for its retry. */
  private boolean writing;
  /** Queued outcomes wait for the answers of fires in flight (a timer ends the wait). */
  private boolean lingering;
  private long retryMs;

  /**
   * @param write writes one batch as one statement
   * @param unanswered fires sent whose answer has not come yet (any store's): their outcomes are on their way
   */
  OutcomeBatcher(Function<List<Ack>, Future<?>> write, Timers timers, IntSupplier unanswered, Listener listener) {
    this.write = write;
    this.timers = timers;
    this.unanswered = unanswered;
    this.listener = listener;
  }

  /** Records an outcome: written now, or with the next batch when a write is in flight. */
  void add(Ack a) {
    queued.add(a);
    unwritten.computeIfAbsent(a.id(), id -> Promise.promise());
    flush();
  }

  /** Whether an outcome of {@code id} is recorded and not yet in the store. */
  boolean unwritten(UUID id) {
    return unwritten.containsKey(id);
  }

  /** Completes when the outcomes recorded so far for {@code events} are in the store. */
  Future<Void> written(List<ClaimedEvent> events) {
    List<Future<Void>> pending = new ArrayList<>();
    for (ClaimedEvent e : events) {
      Promise<Void> p = unwritten.get(e.id());
      if (p != null) pending.add(p.future());
    }
    return pending.isEmpty() ? Future.succeededFuture() : Future.join(pending).mapEmpty();
  }

  /** Completes when every outcome recorded so far is in the store. */
  Future<Void> allWritten() {
    if (unwritten.isEmpty()) return Future.succeededFuture();
    return Future.join(unwritten.values().stream().map(Promise::future).toList()).mapEmpty();
  }

  /** Nothing is being written and nothing waits to be. */
  boolean idle() {
    return !writing && queued.isEmpty();
  }

  /**
   * Lets whoever waits for an outcome go on as if it were written (the leases were handed back
   * meanwhile, so the store has the event again either way). Writes already queued still go.
   */
  void forgetAll() {
    unwritten.values().forEach(Promise::tryComplete);
    unwritten.clear();
  }

  private void flush() {
    if (writing || queued.isEmpty()) return;
    if (unanswered.getAsInt() > 0) {
      if (!lingering) {
        lingering = true;
        timers.after(LINGER_MS, () -> {
          lingering = false;
          write();
        });
      }
      return;
    }
    write();
  }

  private void write() {
    if (writing || queued.isEmpty()) return;
    writing = true;
    List<Ack> batch = new ArrayList<>(queued);
    queued.clear();
    write.apply(batch).onComplete(ar -> {
      if (ar.failed()) {
        listener.failed(ar.cause());
        queued.addAll(0, batch);
        retryMs = Math.min(MAX_RETRY_MS, Math.max(FIRST_RETRY_MS, retryMs * 2));
        timers.after(retryMs, () -> {
          writing = false;
          flush();
        });
        return;
      }
      retryMs = 0;
      writing = false;
      batch.forEach(a -> {
        Promise<Void> p = unwritten.remove(a.id());
        if (p != null) p.tryComplete();
      });
      boolean drained = queued.isEmpty();
      listener.written(batch, drained);
      if (!drained) flush();
    });
  }
}
