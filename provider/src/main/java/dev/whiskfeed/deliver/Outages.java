package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.ClaimedEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an answered fire (or one that got no answer) means for its feed's outage state: the feed's
 * breaker ({@link Breakers}: opening after failed fires in a row, the probe's result, closing on
 * the first success) and whether the feed is recovering from an outage.
 *
 * <ul>
 *   <li>Delivered: closes the breaker. The first success after a server error or network failure
 *       is a recovery: the feed's events sit in backoff for up to five minutes, so the engine makes
 *       them due at once, and the backlog drains at the engine's speed rather than the backoff's.
 *   <li>429: OpenWhisk works and throttles the namespace; it closes the breaker like a success, but
 *       the 429 waits in the backoff and is no recovery (a pull forward would only meet the throttle
 *       again).
 *   <li>Server error, timeout, no answer: counts towards opening the breaker, or reschedules the
 *       probe when it was the probe that failed; the feed is in an outage until its next success.
 *   <li>Disable: the breaker is forgotten.
 * </ul>
 * A breaker that closes lets the feed's held-back events be claimed again: every store claims in full.
 * Event loop only.
 */
final class Outages {
  private static final Logger LOG = LoggerFactory.getLogger(Outages.class);

  private final Breakers breakers;
  /** Feeds whose last failed fire was a server error or network failure, not yet followed by a success. */
  private final Set<Long> failing = new HashSet<>();

  /**
   * What the engine does after an answer.
   *
   * @param recovered the feed's first success after an outage: its events in backoff are made due at once
   * @param breakerClosed the feed's breaker closed: every store claims in full
   */
  record After(boolean recovered, boolean breakerClosed) {
    static final After NOTHING = new After(false, false);
  }

  Outages(Breakers breakers) {
    this.breakers = breakers;
  }

  /** The feed's breaker and outage state after a fire of {@code events} to {@code t} came to {@code outcome}. */
  After answered(Target t, FireOutcome outcome, List<ClaimedEvent> events) {
    if (outcome instanceof FireOutcome.Delivered) {
      boolean breakerClosed = breakers.answered(t.id());
      return new After(failing.remove(t.id()), breakerClosed);
    }
    if (outcome instanceof FireOutcome.Disable) {
      breakers.forget(t.id());
      return After.NOTHING;
    }
    FireOutcome.Retry r = (FireOutcome.Retry) outcome;
    if (r.throttled()) return new After(false, breakers.answered(t.id()));
    failing.add(t.id());
    Duration probeIn = breakers.failed(t, r, events);
    if (probeIn != null) {
      LOG.warn("{} {} {} {} {}", kv("event", "feed.failing"), kv("feed", t.name()),
          kv("failedFires", Breakers.OPEN_AFTER), kv("statusCode", r.statusCode()), kv("probeInMs", probeIn.toMillis()));
    }
    return After.NOTHING;
  }
}
