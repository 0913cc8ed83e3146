package dev.whiskfeed.deliver;

/**
 * When a worker vacuums its store's claims table: after every {@code every} claims its outcomes
 * settled (deleted), one vacuum at a time. Counts only; the worker runs the statement
 * ({@link dev.whiskfeed.store.ClaimRepository#vacuumClaims}). Used on the worker's event loop.
 */
final class ClaimsVacuum {
  private final int every;
  private int settled;
  private boolean running;

  ClaimsVacuum(int every) {
    this.every = every;
  }

  /** {@code n} more claims settled; true when the table is due a vacuum (the caller then runs it and calls {@link #finished}). */
  boolean settled(int n) {
    settled += n;
    if (running || settled < every) return false;
    settled = 0;
    running = true;
    return true;
  }

  void finished() {
    running = false;
  }
}
