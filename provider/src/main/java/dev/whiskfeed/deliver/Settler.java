package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.DeliveryLog;
import java.time.Clock;
import java.time.Instant;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an answered fire's {@link Settlement}, in this order: the namespace's pace learns the
 * answer ({@link Pacer}), the events' outcomes go to their worker, dead letters and retries are
 * logged, the feed's breaker and recovery follow ({@link Outages}), a maxTriggers reservation is
 * given back or the fire counted ({@link Bookkeeping}), the feed is disabled if it must be
 * ({@link AutoDisable}), and the attempt goes to the delivery log. Event loop only.
 */
final class Settler {
  /** The engine's logger: these lines keep the logger they always had. */
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

  private final DeliveryMetrics metrics;
  private final Pacer pacer;
  private final Outages outages;
  private final MaxTriggers maxTriggers;
  private final AutoDisable disabler;
  private final Bookkeeping bookkeeping;
  private final ClaimRepository claims;
  private final LongConsumer unreserve;
  private final Runnable wakeFully;
  private final Clock clock;

  /**
   * @param unreserve gives a feed's maxTriggers reservation back
   * @param wakeFully claims every due event from every store (a feed's breaker closed)
   */
  Settler(DeliveryMetrics metrics, Pacer pacer, Outages outages, MaxTriggers maxTriggers, AutoDisable disabler,
          Bookkeeping bookkeeping, ClaimRepository claims, LongConsumer unreserve, Runnable wakeFully, Clock clock) {
    this.metrics = metrics;
    this.pacer = pacer;
    this.outages = outages;
    this.maxTriggers = maxTriggers;
    this.disabler = disabler;
    this.bookkeeping = bookkeeping;
    this.claims = claims;
    this.unreserve = unreserve;
    this.wakeFully = wakeFully;
    this.clock = clock;
  }

  /** {@code fire} came to {@code outcome} after {@code latencyMs}; {@code reserved}: it had a maxTriggers reservation. */
  void settle(Fire fire, FireOutcome outcome, boolean reserved, int latencyMs) {
    // stamped before the acks go out: the delivery log's attempt is never later than the event's deliveredAt
    Instant answeredAt = clock.instant();
    Target t = fire.target();
    metrics.fired(t, outcome, latencyMs, fire.events());
    if (pacer.answered(t.namespace(), outcome)) {
      LOG.info("{} {} {}", kv("event", "namespace.paced"), kv("namespace", t.namespace()),
          kv("firesPerMinute", Math.round(pacer.pace(t.namespace()) * 10) / 10.0));
    }
    boolean lastAllowed = maxTriggers.lastAllowed(t.id(), outcome, reserved);
    Settlement s = Settlement.of(t, outcome, fire.events(), reserved, lastAllowed);
    StoreWorker worker = fire.worker();
    s.acks().forEach(worker::ack);
    s.dead().forEach(a -> deadLettered(t, a));
    s.retries().forEach(r -> LOG.info("{} {} {} {} {} {}", kv("event", "trigger.retry"), kv("feed", t.name()),
        kv("eventId", r.id()), kv("attempt", r.attempt()), kv("statusCode", r.statusCode()), kv("delayMs", r.delayMs())));
    if (outcome instanceof FireOutcome.Delivered d) {
      LOG.info("{} {} {} {} {} {}", kv("event", "trigger.fired"), kv("feed", t.name()), kv("eventId", fire.ids()),
          kv("statusCode", d.statusCode()), kv("activationId", d.activationId()), kv("latencyMs", latencyMs));
    }
    Outages.After after = outages.answered(t, outcome, fire.events());
    if (after.recovered()) recovered(worker, t, after.breakerClosed());
    if (after.breakerClosed()) wakeFully.run();
    if (s.unreserve()) unreserve.accept(t.id());
    if (s.countFire()) bookkeeping.fired(t.id());
    if (s.disable() != null) disabler.disable(t, s.disable().statusCode(), s.disable().message());
    logAttempt(fire, s.attempt(), latencyMs, answeredAt);
  }

  /** An event dead-lettered: counted and logged (its ack is the caller's). */
  void deadLettered(Target t, Ack a) {
    metrics.dead(t);
    LOG.warn("{} {} {} {} {}", kv("event", "event.dead"), kv("feed", t.name()), kv("eventId", a.id()),
        kv("statusCode", a.statusCode()), kv("error", a.error()));
  }

  /** The feed's first success after an outage ({@link Outages}): its events in backoff are made due at once. */
  private void recovered(StoreWorker worker, Target t, boolean breakerClosed) {
    // after the retries recorded so far are written: fires of the outage answered just before this
    // success would otherwise be written after the pull, and wait out their whole backoff
    worker.leases().allWritten().compose(v -> claims.pullForward(worker.store().pool(), t.id())).onSuccess(n -> {
      if (n > 0 || breakerClosed) {
        LOG.info("{} {} {}", kv("event", "feed.recovered"), kv("feed", t.name()), kv("pulledForward", n));
        worker.wake();
      }
    });
  }

  private void logAttempt(Fire fire, Settlement.Attempt a, int latencyMs, Instant at) {
    bookkeeping.attempt(new DeliveryLog.Entry(fire.target().id(), fire.events().stream().map(ClaimedEvent::id).toList(),
        at, a.statusCode(), latencyMs, a.error(), a.activationId()));
  }
}
