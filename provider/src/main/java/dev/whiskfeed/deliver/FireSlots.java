package dev.whiskfeed.deliver;

import java.util.function.Consumer;

/**
 * The engine's fire slots: at most {@link FireLimit#current} fires in flight. A fire that finds none free waits,
 * per feed in turn ({@link FairQueue}), so one feed's backlog never holds back another feed's next
 * fire; a slot let go passes straight to the next waiting fire. A fire keeps its slot until its
 * outcomes are written, so what a crash can leave fired but unrecorded stays within the slots.
 * Event loop only.
 */
final class FireSlots {
  private final FireLimit limit;
  private final Consumer<Fire> start;
  private final Runnable freed;
  private final FairQueue<Fire> waiting = new FairQueue<>();
  private int inFlight;
  private int unanswered;

  /**
   * @param start starts a fire that has a slot; the fire gives it back through {@link #release}
   * @param freed a slot is free and no fire waits for one
   */
  FireSlots(FireLimit limit, Consumer<Fire> start, Runnable freed) {
    this.limit = limit;
    this.start = start;
    this.freed = freed;
  }

  /** Starts {@code fire} when a slot is free; otherwise it waits its turn. */
  void take(Fire fire) {
    if (inFlight < limit.current()) {
      inFlight++;
      start.accept(fire);
    } else {
      waiting.add(fire.feedId(), fire);
    }
  }

  /** A fire that went is done with its slot, which it held {@code heldNanos}: the limit learns from it. */
  void done(long heldNanos) {
    limit.held(heldNanos, inFlight);
    release();
  }

  /**
   * A fire is done with its slot (or will not go): the next waiting fires start while the limit
   * allows, or the slot is free.
   */
  void release() {
    inFlight--;
    while (inFlight < limit.current()) {
      Fire next = waiting.poll();
      if (next == null) {
        freed.run();
        return;
      }
      inFlight++;
      start.accept(next);
    }
  }

  int inFlight() {
    return inFlight;
  }

  /** A fire went out: it awaits OpenWhisk's answer. */
  void sent() {
    unanswered++;
  }

  /** A fire's answer (or failure) came. */
  void answered() {
    unanswered--;
  }

  /** Fires sent whose answer has not come yet (each still holds its slot). */
  int unanswered() {
    return unanswered;
  }

  int limit() {
    return limit.current();
  }

  /** Drops the waiting fires (their events are handed back with every lease at a stop). */
  void clearWaiting() {
    waiting.clear();
  }
}
