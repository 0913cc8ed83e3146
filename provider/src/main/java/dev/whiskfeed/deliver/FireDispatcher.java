package dev.whiskfeed.deliver;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * What the engine does with its workers' claims: how many events a worker may take ({@link #room})
 * and from which feeds ({@link #claimable}, {@link #breakers}), and what it took grouped per feed
 * into fires (batching, oversize: {@link Fire#plan}), each heading for a fire slot ({@link FireSlots})
 * or first waiting for its namespace's pace ({@link PacedFires}) until {@link #paceDue}. Event loop
 * only.
 */
final class FireDispatcher implements Dispatcher {
  private final FeedRegistry registry;
  private final Breakers breakers;
  /** Fires waiting for their namespace's pace: they have no fire slot yet. */
  private final PacedFires pacing;
  private final FireSlots slots;
  private final BiConsumer<Target, Ack> deadLettered;
  private final int maxConcurrentFires;
  private final BooleanSupplier running;

  /**
   * @param deadLettered settles an event dead-lettered before any fire (its ack is the dispatcher's)
   * @param running whether the engine runs: a stopped one lets no worker claim and no paced fire go
   */
  FireDispatcher(FeedRegistry registry, Breakers breakers, Pacer pacer, FireSlots slots,
                 BiConsumer<Target, Ack> deadLettered, OutcomeBatcher.Timers timers, int maxConcurrentFires,
                 BooleanSupplier running) {
    this.registry = registry;
    this.breakers = breakers;
    this.slots = slots;
    this.deadLettered = deadLettered;
    this.maxConcurrentFires = maxConcurrentFires;
    this.running = running;
    this.pacing = new PacedFires(pacer, this::topUp, (namespace, nanos) ->
        timers.after(Math.max(1, (nanos + 999_999) / 1_000_000), () -> paceDue(namespace)));
  }

  PacedFires pacing() {
    return pacing;
  }

  @Override
  public int room(int held) {
    // what waits for its namespace's pace is not counted: it is bounded per feed by claimable
    int maxHeld = maxHeld();
    return running.getAsBoolean() ? Math.max(0, maxHeld - Math.max(0, held - pacing.waitingEvents())) : 0;
  }

  @Override
  public int maxHeld() {
    return ClaimPlanner.maxHeld(maxConcurrentFires, registry.largestBatch());
  }

  @Override
  public int unanswered() {
    return slots.unanswered();
  }

  @Override
  public long[] claimable(long[] feeds) {
    return pacing.claimable(feeds);
  }

  @Override
  public Breakers breakers() {
    return breakers;
  }

  @Override
  public void dispatch(StoreWorker worker, Map<Long, List<ClaimedEvent>> byFeed) {
    byFeed.forEach((feedId, events) -> {
      Target target = registry.get(feedId).filter(Target::deliverable).orElse(null);
      if (target == null) {
        events.forEach(e -> worker.ack(Ack.release(e.id())));
        return;
      }
      Fire.Planned planned = Fire.plan(worker, target, events);
      planned.dead().forEach(dead -> {
        worker.ack(dead);
        deadLettered.accept(target, dead);
      });
      for (Fire fire : planned.fires()) {
        if (pacing.admit(fire)) slots.take(fire);
      }
    });
  }

  /** A namespace's pace lets its next waiting fire go (topped up with its feed's other waiting events). */
  private void paceDue(String namespace) {
    if (!running.getAsBoolean()) return;
    Fire fire = pacing.release(namespace);
    if (fire == null) return;
    // the feed was left out of claims while a full fire of it waited: its events are claimed again
    if (!pacing.full(fire.feedId())) fire.worker().wakeFully();
    slots.take(fire);
  }

  /** One feed's fires waiting for the pace, regrouped into fuller ones; a probe of an open breaker stays alone. */
  private List<Fire> topUp(List<Fire> fires) {
    return breakers.closed(new long[] {fires.get(0).feedId()}).length == 0 ? fires : Fire.regroup(fires);
  }
}
