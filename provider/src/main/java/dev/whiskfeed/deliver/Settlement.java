package dev.whiskfeed.deliver;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What one answered fire comes to, before anything is written: the pure settlement step from (target,
 * outcome, the events with their attempts, whether a maxTriggers reservation was taken) to the events'
 * new states ({@code acks}, one per event, in the events' order) and what happens to the feed.
 *
 * <ul>
 *   <li>Delivered: every event is delivered; the fire counts towards maxTriggers (a reservation
 *       counted it already); the last allowed fire of a limited feed disables it.
 *   <li>Disable (404, 401, 403, …): the feed is disabled with OpenWhisk's answer; its events stay
 *       pending, the attempt counted, until the owner fixes the cause.
 *   <li>Retry (408, 409, 429, 5xx, no answer): each event is tried again after its feed's backoff, or
 *       dead-lettered when its retries are exhausted; a feed whose every attempt of an event was
 *       answered 429 is disabled instead, the event kept.
 * </ul>
 * A fire that was not delivered gives its maxTriggers reservation back ({@code unreserve}).
 *
 * @param retries the acks of {@code acks} that schedule another attempt, with that attempt's number
 * @param dead the acks of {@code acks} that dead-letter their event
 * @param disable the feed is disabled with this reason; null: the feed stays as it is
 * @param countFire the fire is added to the feed's fire count (one without a reservation)
 * @param attempt what the delivery log records of this attempt
 */
record Settlement(List<Ack> acks, List<Retried> retries, List<Ack> dead, Disable disable, boolean unreserve,
                  boolean countFire, Attempt attempt) {

  static final String MAX_TRIGGERS_MESSAGE = "Automatically disabled after reaching max triggers";

  /** Another attempt of {@code id}, its {@code attempt}th, in {@code delayMs}. */
  record Retried(UUID id, int attempt, Integer statusCode, long delayMs) {}

  /** The feed's disable reason (AUTO): OpenWhisk's status, if one caused it, and a message. */
  record Disable(Integer statusCode, String message) {}

  /** One row of the delivery log: the answer's status (null: none), error and activation id. */
  record Attempt(Integer statusCode, String error, String activationId) {}

  /**
   * Settles a fire of {@code events} to {@code t} that came to {@code outcome}.
   *
   * @param reserved a maxTriggers reservation was taken for this fire
   * @param lastAllowed this was the limited feed's last allowed fire
   */
  static Settlement of(Target t, FireOutcome outcome, List<ClaimedEvent> events, boolean reserved,
                       boolean lastAllowed) {
    if (outcome instanceof FireOutcome.Delivered d) {
      return new Settlement(events.stream().map(e -> Ack.delivered(e.id(), d.statusCode(), d.activationId())).toList(),
          List.of(), List.of(), lastAllowed ? new Disable(null, MAX_TRIGGERS_MESSAGE) : null, false, !reserved,
          new Attempt(d.statusCode(), null, d.activationId()));
    }
    if (outcome instanceof FireOutcome.Disable d) {
      return new Settlement(events.stream().map(e -> Ack.held(e.id(), d.statusCode(), d.message())).toList(),
          List.of(), List.of(), new Disable(d.statusCode(), d.message()), reserved, false,
          new Attempt(d.statusCode(), d.message(), null));
    }
    return retry(t, (FireOutcome.Retry) outcome, events, reserved);
  }

  private static Settlement retry(Target t, FireOutcome.Retry r, List<ClaimedEvent> events, boolean reserved) {
    RetryPolicy policy = t.retryPolicy();
    List<Ack> acks = new ArrayList<>();
    List<Retried> retries = new ArrayList<>();
    List<Ack> dead = new ArrayList<>();
    Disable disable = null;
    for (ClaimedEvent e : events) {
      int attempts = e.attempts() + 1;
      if (!policy.exhausted(attempts)) {
        long delay = policy.nextDelay(attempts, r).toMillis();
        acks.add(Ack.retry(e.id(), delay, r.statusCode(), r.throttled(), r.error()));
        retries.add(new Retried(e.id(), attempts, r.statusCode(), delay));
      } else if (e.throttled() + (r.throttled() ? 1 : 0) == attempts) {
        // OpenWhisk throttled every attempt: the namespace's limit is too low for this feed, not the event
        String message = FireOutcome.DISABLED_PREFIX + "OpenWhisk answered 429 to every one of " + attempts
            + " attempts";
        if (disable == null) disable = new Disable(429, message); // the first reason written is kept
        acks.add(Ack.held(e.id(), 429, message));
      } else {
        Ack a = Ack.dead(e.id(), r.statusCode(), "gave up after " + attempts + " attempts: " + r.error());
        acks.add(a);
        dead.add(a);
      }
    }
    return new Settlement(List.copyOf(acks), List.copyOf(retries), List.copyOf(dead), disable, reserved, false,
        new Attempt(r.statusCode(), r.error(), null));
  }

  /** An event whose envelope alone is larger than its feed's batchMaxBytes: dead before any fire. */
  static Ack oversized(ClaimedEvent e, int bytes, Target t) {
    return Ack.dead(e.id(), null, "event is " + bytes + " bytes as JSON, larger than batchMaxBytes " + t.batchMaxBytes());
  }
}
