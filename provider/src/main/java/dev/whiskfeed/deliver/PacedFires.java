package dev.whiskfeed.deliver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjLongConsumer;
import java.util.function.UnaryOperator;

/**
 * The fires waiting for their namespace's pace ({@link Pacer}), per namespace and, within one, per
 * feed in turn ({@link FairQueue}). A namespace lets one fire go at a time: when its pace allows,
 * the next fire is topped up with its feed's other waiting fires ({@code topUp}, e.g.
 * {@link Fire#regroup}) and {@link #release}d; the engine gives it a fire slot, and {@link #started}
 * counts its start (or {@link #waitAgain} parks it should the pace have been spent meanwhile). The events of
 * waiting fires stay held by their worker, whose renewals keep their leases.
 *
 * <p>A feed with at least its batchSize of events waiting is left out of claims ({@link #claimable}):
 * a fuller fire than that cannot go, and a paced backlog must not fill the memory or the engine's
 * room for other namespaces. Pure but for the wake it asks for ({@code wakeIn}: namespace, nanos).
 * Event loop only.
 */
final class PacedFires {
  private final Pacer pacer;
  private final UnaryOperator<List<Fire>> topUp;
  private final ObjLongConsumer<String> wakeIn;
  private final Map<String, FairQueue<Fire>> waiting = new HashMap<>();
  /** Events waiting per feed, and that feed's batchSize. */
  private final Map<Long, int[]> waitingByFeed = new HashMap<>();
  /** Released fires not yet started, per namespace (at most one each). */
  private final Map<String, Integer> released = new HashMap<>();
  private final Set<Fire> releasedFires = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<String> wakeArmed = new HashSet<>();
  private int waitingEvents;

  PacedFires(Pacer pacer, UnaryOperator<List<Fire>> topUp, ObjLongConsumer<String> wakeIn) {
    this.pacer = pacer;
    this.topUp = topUp;
    this.wakeIn = wakeIn;
  }

  /** A fire newly planned: true when it may head for a fire slot now; otherwise it waits here. */
  boolean admit(Fire f) {
    String ns = f.namespace();
    if (!waiting.containsKey(ns) && !released.containsKey(ns) && pacer.delay(ns) == 0) return true;
    park(f);
    return false;
  }

  /** Nanoseconds until the pace of {@code f}'s namespace lets a fire start; 0: now ({@link FireCheck}). */
  long delay(Fire f) {
    return pacer.delay(f.namespace());
  }

  /** {@code f} has a fire slot and its pace allows it ({@link #delay} is 0): its start is counted. */
  void started(Fire f) {
    boolean wasReleased = forgetReleased(f);
    pacer.started(f.namespace());
    if (wasReleased) arm(f.namespace());
  }

  /** {@code f} had a fire slot, but the pace was spent meanwhile: it waits here again. */
  void waitAgain(Fire f) {
    forgetReleased(f);
    park(f);
  }

  /** {@code f} will not be fired (its events went back to the store): the namespace's next fire may go. */
  void dropped(Fire f) {
    if (forgetReleased(f)) arm(f.namespace());
  }

  /**
   * The wake of {@code namespace}: its next fire, topped up, when its pace allows now (the engine
   * takes it to a fire slot); null when none may go yet (a wake is asked for when one may).
   */
  Fire release(String namespace) {
    wakeArmed.remove(namespace);
    FairQueue<Fire> queue = waiting.get(namespace);
    if (queue == null || released.containsKey(namespace)) return null;
    long delay = pacer.delay(namespace);
    if (delay > 0) {
      arm(namespace);
      return null;
    }
    Fire next = queue.poll();
    List<Fire> sameFeed = new ArrayList<>();
    sameFeed.add(next);
    sameFeed.addAll(queue.removeAll(next.feedId()));
    List<Fire> regrouped = topUp.apply(sameFeed);
    Fire fire = regrouped.get(0);
    for (Fire rest : regrouped.subList(1, regrouped.size())) queue.add(fire.feedId(), rest);
    if (queue.isEmpty()) waiting.remove(namespace);
    count(fire, -1);
    released.put(namespace, 1);
    releasedFires.add(fire);
    return fire;
  }

  /** {@code feeds} without those that have a full fire waiting (the same array when none has). */
  long[] claimable(long[] feeds) {
    if (waitingByFeed.isEmpty()) return feeds;
    return Arrays.stream(feeds).filter(f -> !full(f)).toArray();
  }

  boolean full(long feedId) {
    int[] w = waitingByFeed.get(feedId);
    return w != null && w[0] >= w[1];
  }

  /** Events in the fires waiting here (their worker holds them). */
  int waitingEvents() {
    return waitingEvents;
  }

  void clear() {
    waiting.clear();
    waitingByFeed.clear();
    released.clear();
    releasedFires.clear();
    waitingEvents = 0;
  }

  private void park(Fire f) {
    waiting.computeIfAbsent(f.namespace(), n -> new FairQueue<>()).add(f.feedId(), f);
    count(f, 1);
    arm(f.namespace());
  }

  private boolean forgetReleased(Fire f) {
    if (!releasedFires.remove(f)) return false;
    released.remove(f.namespace());
    return true;
  }

  /** Asks for a wake of {@code namespace} when its next waiting fire may go, unless one is asked for or out. */
  private void arm(String namespace) {
    if (!waiting.containsKey(namespace) || released.containsKey(namespace) || !wakeArmed.add(namespace)) return;
    wakeIn.accept(namespace, Math.max(1, pacer.delay(namespace)));
  }

  private void count(Fire f, int sign) {
    int n = f.events().size() * sign;
    waitingEvents += n;
    int[] w = waitingByFeed.computeIfAbsent(f.feedId(), k -> new int[] {0, f.target().batchSize()});
    w[0] += n;
    w[1] = f.target().batchSize();
    if (w[0] <= 0) waitingByFeed.remove(f.feedId());
  }
}
