package dev.whiskfeed.deliver;

import dev.whiskfeed.store.Doorbell;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * When a store's claim loop arms the store's {@link Doorbell}, and the looks that follow an arming.
 *
 * <p>While claims find work they follow one another and the doorbell stays disarmed, so a busy
 * store costs its writers no NOTIFY. The first claim after which none follows at once ({@link #idle})
 * arms it: the next writer rings, and its NOTIFY wakes a claim. Arming races the writers, so the
 * loop looks again at once when the arming is done, and twice more a moment later
 * ({@link #LATER_LOOKS_MS}) for a writer that checked the doorbell just before it was armed and
 * committed just after the first look. Anything later still is found by the poll.
 *
 * <p>An arming holds until a claim finds work ({@link #foundWork}): further idle claims do not arm
 * again. It does not hold when its statement failed, nor once the store was out of reach
 * ({@link #forget}): the doorbell is an unlogged table, which a database crash empties. A later
 * look is dropped when a claim has found work since its arming: the claims go on from there until
 * one finds nothing and arms again, with later looks of its own, which come later than these would
 * have. Event loop only.
 */
final class DoorbellArming {
  /** After arming the doorbell, when to look again for writes that raced the arming (ms). */
  static final long[] LATER_LOOKS_MS = {3, 25};

  private final Supplier<Future<?>> arm;
  private final OutcomeBatcher.Timers timers;
  private final Runnable look;
  /** Counts the armings: a later look belongs to one. */
  private long armings;
  /** The arming in force: 0 when a claim found work since the last one (or none was made). */
  private long armedAt;
  /** The last arming whose statement failed (0: none). */
  private long failed;

  /**
   * @param arm arms the doorbell in the store
   * @param look claims (a wake of the claim loop)
   */
  DoorbellArming(Supplier<Future<?>> arm, OutcomeBatcher.Timers timers, Runnable look) {
    this.arm = arm;
    this.timers = timers;
    this.look = look;
  }

  /** A claim found work: the arming in force, if any, ends, and its later looks are dropped. */
  void foundWork() {
    armedAt = 0;
  }

  /**
   * The store was out of reach and answers again: an arming made before may be gone (the doorbell
   * is unlogged, so a database crash empties it), and the next idle claim arms again.
   */
  void forget() {
    armedAt = 0;
  }

  /** No claim follows at once: arms the doorbell, unless the arming in force still holds. */
  void idle() {
    if (armedAt != 0 && armedAt != failed) return;
    long arming = ++armings;
    armedAt = arming;
    arm.get().onComplete(ar -> {
      // an arming that did not reach the store holds nothing: the next idle claim arms again
      if (ar.failed()) failed = arming;
      look.run();
      for (long ms : LATER_LOOKS_MS) {
        timers.after(ms, () -> {
          if (arming == armedAt) look.run();
        });
      }
    });
  }
}
