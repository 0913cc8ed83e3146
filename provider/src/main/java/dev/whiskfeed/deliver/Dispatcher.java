package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimedEvent;
import java.util.List;
import java.util.Map;

/** Fires what a worker claimed; reports every event's outcome back through {@link StoreWorker#ack}. */
interface Dispatcher {
  /** How many more events this worker may take now (free fire slots, bounded by what is held). */
  int room(int held);

  /** The most events this instance holds at once ({@link ClaimPlanner#maxHeld}). */
  int maxHeld();

  void dispatch(StoreWorker worker, Map<Long, List<ClaimedEvent>> byFeed);

  /** Feeds whose fires keep failing: left out of claims, but for one probe event at a time. */
  Breakers breakers();

  /** Fires sent whose answer has not come yet, across all stores: their outcomes are on their way. */
  int unanswered();

  /** {@code feeds} without those that have a full fire waiting for their namespace's pace. */
  long[] claimable(long[] feeds);
}
