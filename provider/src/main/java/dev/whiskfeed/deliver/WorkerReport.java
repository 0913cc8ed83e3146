package dev.whiskfeed.deliver;

import java.util.List;

/** What this instance's claim loop of one event store looks like now: reachable, and how many leases it holds. */
public record WorkerReport(String store, boolean reachable, int held) {

  /** One report per store the engine claims from. Call on the verticle's event loop. */
  public static List<WorkerReport> of(DeliveryEngine engine) {
    return engine.workers().stream().map(w -> new WorkerReport(w.store().name(), w.reachable(), w.held())).toList();
  }
}
