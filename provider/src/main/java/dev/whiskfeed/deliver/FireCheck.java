package dev.whiskfeed.deliver;

import java.util.Optional;

/**
 * The check a fire passes once it has a fire slot, before it goes: the pure decision from what holds
 * at that moment to what the engine does with the fire. A fire may have waited for its slot or its
 * namespace's pace for a while, so each of these may have changed since it was planned:
 *
 * <ol>
 *   <li>its leases: one that may have run out ({@link HeldLeases#safe}) means another instance may
 *       own the events by now; they go back to the store rather than be fired twice at once;
 *   <li>its feed: gone, paused or disabled meanwhile, or its breaker opened and this is not its
 *       probe ({@link Breakers#mayFire}): the events go back, due at once, their attempts not counted;
 *   <li>its namespace's pace ({@link PacedFires}): counted where the fire starts, so a fire that
 *       waited for a slot may have to wait for the pace again (it gives its slot up meanwhile);
 *   <li>a limited feed (maxTriggers) takes one of its remaining fires first, in the database, so
 *       concurrent fires never pass the limit; then {@link #reserved} decides.
 * </ol>
 */
final class FireCheck {
  private FireCheck() {}

  /** What happens to a fire that has a slot. */
  enum Verdict {
    /** A lease may have run out: the events go back to the store (logged: another instance may own them). */
    LEASE_LOST,
    /** The feed is gone or not deliverable, or its breaker holds the fire back: the events go back. */
    HAND_BACK,
    /** The namespace's pace does not allow a fire now: the fire waits for it again, without its slot. */
    WAIT_FOR_PACE,
    /** Its start is counted; a maxTriggers reservation is taken before it is sent. */
    RESERVE,
    /** Its start is counted and it is sent. */
    FIRE
  }

  /** What happens to a limited feed's fire after its reservation. */
  enum Reservation {
    FIRE,
    /** The feed's last allowed fire: sent, and the feed is disabled once it is delivered. */
    FIRE_LAST,
    /** No fire left: the feed is disabled (maxTriggers reached) and the events go back. */
    MAX_REACHED,
    /** The reservation failed (the control database): the events go back, tried again later. */
    HAND_BACK
  }

  /**
   * @param leasesSafe every event of the fire may still be fired by this instance
   * @param current the feed as the registry has it now; null: gone
   * @param breakerAllows the feed's breaker lets this fire go (closed, or this is its probe)
   * @param paceDelayNanos how long until the namespace's pace allows a fire; 0: now
   */
  static Verdict before(boolean leasesSafe, Target current, boolean breakerAllows, long paceDelayNanos) {
    if (!leasesSafe) return Verdict.LEASE_LOST;
    if (current == null || !current.deliverable() || !breakerAllows) return Verdict.HAND_BACK;
    if (paceDelayNanos > 0) return Verdict.WAIT_FOR_PACE;
    return current.limited() ? Verdict.RESERVE : Verdict.FIRE;
  }

  /**
   * @param failed the reservation failed ({@code used} is then ignored)
   * @param used the feed's fires used including this one, and its maxTriggers; empty: none was left
   */
  static Reservation reserved(boolean failed, Optional<long[]> used) {
    if (failed) return Reservation.HAND_BACK;
    if (used.isEmpty()) return Reservation.MAX_REACHED;
    return used.get()[0] >= used.get()[1] ? Reservation.FIRE_LAST : Reservation.FIRE;
  }
}
