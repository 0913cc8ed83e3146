package dev.whiskfeed.alarms;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The scheduler's timing rules, pure: when a feed first fires, what one due instant turns into,
 * and the per-feed offset of {@code spreadSec}.
 *
 * <p>A stored fire time is the schedule's instant plus the feed's offset. Missed instants are
 * never replayed one by one: a due row fires at most once and moves to the first instant after
 * now.
 */
final class FireTimes {
  /** An instant reached later than this was missed (the provider was down or far behind). */
  static final Duration MISSED_AFTER = Duration.ofSeconds(60);

  private FireTimes() {}

  /**
   * What to do with one due row.
   *
   * @param payload the event's payload ({@code {"data": trigger_payload, "scheduledAt", "lateBySec",
   *     "late"}}), or null: the instant passes without an event
   * @param nextFire the next fire time, or null when the schedule is over
   */
  record Step(JsonObject payload, Instant nextFire) {
    boolean emits() {
      return payload != null;
    }

    boolean last() {
      return nextFire == null;
    }
  }

  /**
   * The feed's offset within {@code [0, spreadSec)}, in milliseconds, the same on every instance:
   * a SplitMix64 mix of the feed id, so neighbouring ids land far apart.
   */
  static Duration offset(long feedId, int spreadSec) {
    if (spreadSec <= 0) return Duration.ZERO;
    long z = feedId + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return Duration.ofMillis(Math.floorMod(z, spreadSec * 1000L));
  }

  /** The first fire time strictly after {@code now} (instant plus offset), or empty when there is none. */
  static Optional<Instant> first(AlarmSpec spec, long feedId, Instant now) {
    Duration offset = offset(feedId, spec.spreadSec());
    return spec.schedule().nextAfter(now.minus(offset)).map(i -> i.plus(offset));
  }

  /**
   * One due row: {@code due} (an instant plus offset) has come at {@code now}. It fires when
   * {@code mayFire} (the feed is active and has triggers left) and it is on time or
   * {@code catchUp} is on; either way the row moves to the first instant after now.
   */
  static Step step(AlarmSpec spec, long feedId, Instant due, Instant now, boolean mayFire) {
    Duration offset = offset(feedId, spec.spreadSec());
    Instant scheduled = due.minus(offset);
    Duration late = due.isBefore(now) ? Duration.between(due, now) : Duration.ZERO;
    boolean missed = late.compareTo(MISSED_AFTER) > 0;
    Instant from = now.minus(offset).isAfter(scheduled) ? now.minus(offset) : scheduled;
    Instant next = spec.schedule().nextAfter(from).map(i -> i.plus(offset)).orElse(null);
    if (!mayFire || missed && !spec.catchUp()) return new Step(null, next);
    JsonObject payload = new JsonObject()
        .put("data", spec.triggerPayload())
        .put("scheduledAt", scheduled.toString())
        .put("lateBySec", late.toSeconds())
        .put("late", missed);
    return new Step(payload, next);
  }
}
