package dev.whiskfeed.deliver;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.EventStore;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * The statements one worker runs against its store ({@link ClaimRepository}), as this instance's
 * {@code holder}, with its lease. The unordered claim reads through the store's claim pool, the
 * rest through its pool.
 */
record StoreStatements(ClaimRepository claims, EventStore store, FeedRegistry registry, String holder, long leaseMs,
                       ClaimsVacuum vacuum) implements ClaimRound.Statements, StoreLeases.Statements {

  StoreStatements(ClaimRepository claims, EventStore store, FeedRegistry registry, String holder, long leaseMs) {
    this(claims, store, registry, holder, leaseMs, new ClaimsVacuum(ClaimRepository.VACUUM_EVERY));
  }

  @Override
  public Future<List<ClaimedEvent>> unordered(ClaimPlanner.Claim plan) {
    return plan.full() ? claims.claim(store.claims(), holder, leaseMs, plan.feeds(), plan.limit())
        : claims.claimSince(store.claims(), holder, leaseMs, plan.feeds(), plan.limit(), plan.floor(),
            ClaimPlanner.RECENT_WINDOW_MS);
  }

  @Override
  public Future<List<ClaimedEvent>> ordered(long[] feeds) {
    return claims.claimOrdered(store.pool(), holder, leaseMs, feeds, batchSizes(feeds));
  }

  @Override
  public Future<List<ClaimedEvent>> probe(long feed) {
    return claims.claim(store.pool(), holder, leaseMs, new long[] {feed}, 1);
  }

  @Override
  public Future<Integer> ack(List<Ack> batch, List<ClaimedEvent> events, long[] settledClaims) {
    return claims.ack(store.pool(), holder, batch, events, settledClaims).onSuccess(n -> {
      if (vacuum.settled(settledClaims.length)) {
        claims.vacuumClaims(store.pool()).onComplete(done -> vacuum.finished());
      }
    });
  }

  @Override
  public Future<Set<Long>> renew(long[] known) {
    return claims.renew(store.pool(), holder, leaseMs, known);
  }

  @Override
  public Future<Integer> releaseAll() {
    return claims.releaseAll(store.pool(), holder);
  }

  private int[] batchSizes(long[] feeds) {
    int[] n = new int[feeds.length];
    for (int i = 0; i < feeds.length; i++) n[i] = registry.get(feeds[i]).map(Target::batchSize).orElse(1);
    return n;
  }
}
