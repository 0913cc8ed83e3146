package dev.whiskfeed.deliver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The events one worker holds (claimed and not yet settled: waiting for a fire slot or their pace,
 * or in flight), each with when its lease ends as far as this instance knows: claimed or last
 * renewed, plus the lease. Pure, with an injected nano clock. Event loop only.
 */
final class HeldLeases {
  private final LongSupplier nanos;
  private final long leaseNs;
  private final Map<UUID, Long> ends = new LinkedHashMap<>();

  HeldLeases(LongSupplier nanos, long leaseMs) {
    this.nanos = nanos;
    this.leaseNs = leaseMs * 1_000_000;
  }

  /**
   * A claim at {@code claimedAt} (nanos) took {@code id}: true when it is newly held, false when it
   * was held already and the claim only renewed its lease (the store was unreachable long enough
   * for our own lease to run out; the event is in flight or waits already).
   */
  boolean claimed(UUID id, long claimedAt) {
    return ends.replace(id, claimedAt + leaseNs) == null;
  }

  /** Holds {@code id}, claimed at {@code claimedAt} (nanos). */
  void hold(UUID id, long claimedAt) {
    ends.put(id, claimedAt + leaseNs);
  }

  /** The renewal sent at {@code at} (nanos) renewed these leases. */
  void renewed(List<UUID> ids, long at) {
    ids.forEach(id -> ends.replace(id, at + leaseNs));
  }

  /** {@code id} is settled (its outcome recorded) or handed back. */
  void let(UUID id) {
    ends.remove(id);
  }

  /**
   * Whether this instance may still start firing {@code id}: its lease has at least a third of its
   * life left. Renewals run three times per lease, so less means two of them failed or were late,
   * and another instance may take the event over while this fire would still be in flight.
   */
  boolean safe(UUID id) {
    Long end = ends.get(id);
    return end != null && end - nanos.getAsLong() > leaseNs / 3;
  }

  List<UUID> ids() {
    return List.copyOf(ends.keySet());
  }

  int size() {
    return ends.size();
  }

  void clear() {
    ends.clear();
  }
}
