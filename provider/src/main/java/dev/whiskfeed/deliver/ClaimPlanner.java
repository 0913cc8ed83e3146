package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What one store's next claim reads, and what its result means for the claim after it. Pure, with an
 * injected nano clock; the {@link StoreWorker} runs the claims.
 *
 * <ul>
 *   <li><b>How much.</b> At most {@link #CLAIM_LIMIT} events, and no more than the engine has room for.
 *   <li><b>Full or since the floor.</b> A full claim reads every due event, at most once every
 *       {@link #FULL_CLAIM_EVERY_NS}; the claims in between read from the floor (the newest due time
 *       the last claim took, or the last {@link #RECENT_WINDOW_MS}; {@link ClaimRepository#claimSince}):
 *       a claim takes due events in due order, so what is due before the newest it took was taken or
 *       is held, and the next claim need not walk past it again. What a claim leaves behind (a long
 *       transaction's rows committed after it, events of feeds it left out, events of a lease that
 *       ran out) waits for the next full claim at most that long.
 *   <li><b>Which feeds.</b> Claims are first come, first served; while one feed has a backlog (it took
 *       at least half of a full claim), every other claim leaves it out, so the other feeds' events are
 *       not claimed only after the whole backlog. A claim that left it out and found nothing else means
 *       the backlog is alone: it is left out again only {@link #EXCLUSION_PAUSE_NS} later.
 *   <li><b>When to look again.</b> At once after a claim that found work, filled its room or left a
 *       backlog out; a claim since the floor that found nothing is followed by a full one within
 *       {@link #FULL_CLAIM_EVERY_NS} of the last. Events arriving one by one close together (a
 *       claim took fewer than {@link #FEW} of them within {@link #GATHER_WITHIN_NS} of the last
 *       claim that found work) are gathered for {@link #GATHER_MS} before the next claim: a claim
 *       costs the store about what it costs for one event whatever it takes, so at 1,000 events/s
 *       one claim per event is most of the store's work, while a quiet feed's lone event (100
 *       events/s and below) is claimed at once.
 * </ul>
 * Event loop only.
 */
final class ClaimPlanner {
  static final int CLAIM_LIMIT = 2000;
  static final long EXCLUSION_PAUSE_NS = 250_000_000L;
  /** A claim of less than a quarter of the room is made only this long after the last claim. */
  static final long SLIVER_AFTER_NS = 100_000_000L;
  static final long FULL_CLAIM_EVERY_NS = 1_000_000_000L;
  /** Claims between full ones also read the events due in this last window (ms). */
  static final long RECENT_WINDOW_MS = 2_000;
  /** A claim that took fewer events than this, close after the claim before that found work... */
  static final int FEW = 4;
  /** ...this close (about 200 claims with work a second or more)... */
  static final long GATHER_WITHIN_NS = 5_000_000L;
  /**
   * ...is followed by the next one this much later, not at once ({@code -Dwhiskfeed.claim.gatherMs}, 0:
   * never; the benchmarks' A/B).
   */
  static final long GATHER_MS = Long.getLong("whiskfeed.claim.gatherMs", 1);

  /** The bound on held events (queued or in flight) whatever the fire slots and feeds: it is never lower. */
  static final int MIN_HELD = 1000;
  /** The most an instance holds for feeds that batch: {@link #HELD_PER_BATCH} fires of the largest batch. */
  static final int MAX_HELD_BATCHED = 5000;
  static final int HELD_PER_BATCH = 50;

  /**
   * One claim: at most {@code limit} events of {@code feeds}; {@code full}: from the start of the
   * pending index, else from {@code floor} (null: only the recent window); {@code excluding}: a
   * backlogged feed is left out; {@code at}: when it was planned (nanos).
   */
  record Claim(int limit, long[] feeds, boolean full, boolean excluding, Instant floor, long at) {}

  /**
   * What a claim's result means: {@code lookAgain} at once (it found work, filled its room or left a
   * backlog out); {@code cutShort}: it filled a room smaller than {@link #CLAIM_LIMIT}, so freed room
   * should wake the next one; {@code fullClaimInMs}: a full claim is due in that many ms (-1: none asked);
   * {@code gatherMs}: looking again waits that long for more events to gather (0: at once).
   */
  record Looked(boolean lookAgain, boolean cutShort, long fullClaimInMs, long gatherMs) {}

  private final LongSupplier nanos;
  /** Feeds that took at least half of the last full claim: left out of every other claim. */
  private long[] dominant = new long[0];
  private boolean excludedLast;
  private long noExclusionUntil;
  private Instant floor;
  private long lastFullClaim;
  private boolean fullNext = true;
  private long lastPlanned = Long.MIN_VALUE / 2;
  /** When the last claim that found work was planned. */
  private long lastFound = Long.MIN_VALUE / 2;

  ClaimPlanner(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /**
   * How many events an instance holds at most: enough to keep its fire slots busy twice over, and,
   * when a feed batches, fifty of its batches (at most {@link #MAX_HELD_BATCHED}), so claims of 2,000
   * events fill whole fires while the last ones are in flight. Bounded so memory stays bounded,
   * other instances get their share, and what waits for a slot is few enough to keep its leases
   * renewed. EngineBench (20 feeds of batchSize 100): 1,000 held gave 21-22k events/s in fires of
   * 30-40 events, 5,000 gave 20-29k in fires of 70-100.
   */
  static int maxHeld(int maxConcurrentFires, int largestBatch) {
    int batched = largestBatch > 1 ? Math.min(MAX_HELD_BATCHED, HELD_PER_BATCH * largestBatch) : 0;
    return Math.max(Math.max(MIN_HELD, 2 * maxConcurrentFires), batched);
  }

  /**
   * Whether a claim of the {@code free} room (of {@code maxHeld}) is worth making now: once a quarter
   * is free, or once {@link #SLIVER_AFTER_NS} passed since the last claim. Fire slots free a few
   * events at a time, and a claim of a few costs the store nearly what a claim of hundreds does;
   * while three quarters are held there is work enough waiting for the slots, but a new event of
   * another feed (or an alarm) must not wait for a slow backlog to free a quarter. EngineBench
   * (batchSize 1, fires in flight following their latency): claims of the 10-30 events each
   * outcome write freed took the provider's backends from 55-79 to 120-126 µs of CPU per event.
   */
  boolean worthClaiming(int free, int maxHeld) {
    return free > 0 && (free >= maxHeld / 4 || nanos.getAsLong() - lastPlanned >= SLIVER_AFTER_NS);
  }

  /** How many events the next claim may take, given the engine's {@code room}. */
  static int limit(int room) {
    return Math.min(CLAIM_LIMIT, room);
  }

  /** The next claim reads every due event (the poll, a feed resumed or recovered). */
  void fullNext() {
    fullNext = true;
  }

  /** Plans a claim of up to {@code limit} events of {@code claimable} (feeds not paced out, breakers closed). */
  Claim plan(int limit, long[] claimable) {
    long now = nanos.getAsLong();
    lastPlanned = now;
    long[] others = excludedLast || dominant.length == 0 || now - noExclusionUntil < 0 ? claimable
        : without(claimable, dominant);
    boolean excluding = others.length > 0 && others.length < claimable.length;
    excludedLast = excluding;
    boolean full = fullNext || now - lastFullClaim >= FULL_CLAIM_EVERY_NS;
    if (full) {
      fullNext = false;
      lastFullClaim = now;
    }
    return new Claim(limit, excluding ? others : claimable, full, excluding, floor, now);
  }

  /**
   * The unordered part of {@code c} took {@code unordered}; with ordered and probe claims the claim
   * took {@code total} events.
   */
  Looked claimed(Claim c, List<ClaimedEvent> unordered, int total) {
    boolean readFeeds = c.feeds().length > 0;
    // a claim that left feeds out says nothing of where their due events start; a full claim that
    // found nothing leaves only the recent window
    if (!c.excluding() && readFeeds && (c.full() || !unordered.isEmpty())) floor = newestDue(unordered);
    long fullClaimInMs = !c.full() && readFeeds && unordered.isEmpty()
        ? Math.max(1, (lastFullClaim + FULL_CLAIM_EVERY_NS - c.at()) / 1_000_000) : -1;
    boolean filled = total >= c.limit();
    if (!c.excluding()) dominant = filled ? dominant(unordered) : new long[0];
    // nobody else had anything: the backlog is alone, look for others again only a moment later
    if (c.excluding() && unordered.isEmpty()) noExclusionUntil = nanos.getAsLong() + EXCLUSION_PAUSE_NS;
    // a claim that left a backlogged feed out and found nothing else is followed by a full one
    boolean lookAgain = total > 0 || filled || c.excluding();
    // events trickling in close together: let a few gather rather than claim each on its own
    boolean trickle = total > 0 && total < FEW && c.at() - lastFound < GATHER_WITHIN_NS;
    if (total > 0) lastFound = c.at();
    return new Looked(lookAgain, filled && c.limit() < CLAIM_LIMIT, fullClaimInMs, trickle ? GATHER_MS : 0);
  }

  private static Instant newestDue(List<ClaimedEvent> claimed) {
    Instant newest = null;
    for (ClaimedEvent e : claimed) {
      if (e.dueAt() != null && (newest == null || e.dueAt().isAfter(newest))) newest = e.dueAt();
    }
    return newest;
  }

  /** The feeds that took at least half of {@code claimed}. */
  private static long[] dominant(List<ClaimedEvent> claimed) {
    Map<Long, Integer> counts = new HashMap<>();
    claimed.forEach(e -> counts.merge(e.feedId(), 1, Integer::sum));
    return counts.entrySet().stream().filter(c -> c.getValue() * 2 >= claimed.size())
        .mapToLong(Map.Entry::getKey).toArray();
  }

  private static long[] without(long[] feeds, long[] left) {
    return Arrays.stream(feeds).filter(f -> Arrays.stream(left).noneMatch(l -> l == f)).toArray();
  }
}
