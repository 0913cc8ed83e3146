package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * One claim of a store's due events, its statements run together and their results merged into one:
 * the unordered feeds' claim as the {@link ClaimPlanner} planned it (full or since the floor), the
 * ordered feeds' claim (each feed's next events in order), and one event of each feed whose breaker
 * is open and whose probe is due ({@link Breakers}). A kind of feed with none to claim runs no
 * statement. Whatever came of the round, each probe's breaker hears what its claim found (nothing,
 * when the round failed). Event loop only.
 */
final class ClaimRound {
  private ClaimRound() {}

  /** The claim statements (against the store, as this instance's holder, with its lease). */
  interface Statements {
    Future<List<ClaimedEvent>> unordered(ClaimPlanner.Claim plan);

    Future<List<ClaimedEvent>> ordered(long[] feeds);

    /** One due event of {@code feed}: its probe. */
    Future<List<ClaimedEvent>> probe(long feed);
  }

  /** What a round took: {@code unordered} (for the planner), and {@code all}: those, the ordered ones, the probes. */
  record Taken(List<ClaimedEvent> unordered, List<ClaimedEvent> all) {}

  static Future<Taken> run(Statements statements, ClaimPlanner.Claim plan, long[] ordered, long[] probes,
                           Breakers breakers) {
    Future<List<ClaimedEvent>> unorderedClaim = plan.feeds().length == 0 ? Future.succeededFuture(List.of())
        : statements.unordered(plan);
    Future<List<ClaimedEvent>> orderedClaim = ordered.length == 0 ? Future.succeededFuture(List.of())
        : statements.ordered(ordered);
    // a feed whose breaker is open: one due event, the probe
    List<Future<List<ClaimedEvent>>> probeClaims = new ArrayList<>();
    for (long feed : probes) probeClaims.add(statements.probe(feed));
    return Future.all(unorderedClaim, orderedClaim, Future.all(probeClaims)).transform(ar -> {
      for (int i = 0; i < probes.length; i++) {
        List<ClaimedEvent> probe = ar.succeeded() ? probeClaims.get(i).result() : List.of();
        breakers.probing(probes[i], probe.isEmpty() ? null : probe.get(0).id());
      }
      if (ar.failed()) return Future.failedFuture(ar.cause());
      List<ClaimedEvent> got = new ArrayList<>(unorderedClaim.result());
      got.addAll(orderedClaim.result());
      probeClaims.forEach(p -> got.addAll(p.result()));
      return Future.succeededFuture(new Taken(unorderedClaim.result(), got));
    });
  }
}
