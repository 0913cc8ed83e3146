package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimedEvent;
import java.util.List;

/** What the engine reports about fires; the operations layer records it (Micrometer). */
public interface DeliveryMetrics {
  DeliveryMetrics NONE = new DeliveryMetrics() {};

  default void fired(Target target, FireOutcome outcome, int latencyMs, List<ClaimedEvent> events) {}

  default void dead(Target target) {}
}
