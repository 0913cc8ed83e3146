package dev.whiskfeed.deliver;

import io.vertx.core.Future;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * maxTriggers on this instance: a limited feed's fire takes one of the feed's remaining fires in the
 * control database before it goes ({@link FireCheck#reserved} decides what follows), so concurrent
 * fires never pass the limit; the feed whose last allowed fire is in flight is disabled once that
 * fire is delivered ({@link #lastAllowed}). Event loop only.
 */
final class MaxTriggers {
  private final LongFunction<Future<Optional<long[]>>> reserve;
  private final Consumer<Fire> send;
  private final Consumer<Fire> handBack;
  private final Consumer<Target> reached;
  /** Limited feeds whose last allowed fire is in flight: disabled once it is delivered. */
  private final Set<Long> pending = new HashSet<>();

  /**
   * @param reserve takes one of a feed's remaining fires: the fires used including this one and
   *     maxTriggers; empty when none was left
   * @param send sends a fire whose reservation was taken
   * @param handBack gives a fire's events back to the store, and its slot up
   * @param reached disables a feed that has no fire left
   */
  MaxTriggers(LongFunction<Future<Optional<long[]>>> reserve, Consumer<Fire> send, Consumer<Fire> handBack,
              Consumer<Target> reached) {
    this.reserve = reserve;
    this.send = send;
    this.handBack = handBack;
    this.reached = reached;
  }

  /** {@code fire} of the limited feed {@code current} has its slot: it goes once a fire is reserved. */
  void reserve(Fire fire, Target current) {
    reserve.apply(current.id()).onComplete(ar -> {
      switch (FireCheck.reserved(ar.failed(), ar.result())) {
        case FIRE -> send.accept(fire);
        case FIRE_LAST -> {
          send.accept(fire);
          pending.add(current.id());
        }
        case MAX_REACHED -> {
          reached.accept(current);
          handBack.accept(fire);
        }
        case HAND_BACK -> handBack.accept(fire);
      }
    });
  }

  /**
   * Asked once per answered fire of {@code feedId}: whether it was the feed's last allowed fire
   * ({@link Settlement} disables the feed when it was delivered). Any answer to a fire that had a
   * reservation, or any delivered fire, ends the wait for the last one.
   */
  boolean lastAllowed(long feedId, FireOutcome outcome, boolean reserved) {
    return (outcome instanceof FireOutcome.Delivered || reserved) && pending.remove(feedId);
  }
}
