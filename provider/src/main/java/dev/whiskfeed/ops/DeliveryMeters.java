package dev.whiskfeed.ops;

import dev.whiskfeed.deliver.DeliveryMetrics;
import dev.whiskfeed.deliver.FireOutcome;
import dev.whiskfeed.deliver.Target;
import dev.whiskfeed.store.ClaimedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The delivery engine's meters in Micrometer (Prometheus names in docs/operations.md):
 * events captured, delivered and dead by feed kind, fires by outcome, retries by status class,
 * fire latency and commit-to-fire latency histograms.
 */
public final class DeliveryMeters implements DeliveryMetrics {
  private static final Duration[] FIRE_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
  private static final Duration[] COMMIT_BUCKETS = seconds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
      900, 3600, 21600);

  private final MeterRegistry registry;
  private final Clock clock;
  /**
   * The meters by name and tags, built once: registering looks the meter up by a fresh id (tags
   * sorted and compared), which cost more than recording on every fire.
   */
  private final Map<List<String>, Meter> meters = new ConcurrentHashMap<>();

  public DeliveryMeters(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public void fired(Target target, FireOutcome outcome, int latencyMs, List<ClaimedEvent> events) {
    String kind = target.kind();
    // an event's first attempt is when the provider takes it up: for changes feeds the row was
    // written by a database trigger, so this is the first moment the provider can count it
    long firstAttempts = events.stream().filter(e -> e.attempts() == 0).count();
    if (firstAttempts > 0) counter("whiskfeed.events.captured", "kind", kind).increment(firstAttempts);
    fireLatency(kind, outcomeName(outcome)).record(latencyMs, TimeUnit.MILLISECONDS);
    if (outcome instanceof FireOutcome.Delivered) {
      counter("whiskfeed.events.delivered", "kind", kind).increment(events.size());
      Instant now = clock.instant();
      Timer commitToFire = commitToFire(kind);
      for (ClaimedEvent e : events) {
        Duration waited = Duration.between(e.createdAt(), now);
        if (!waited.isNegative()) commitToFire.record(waited);
      }
    } else if (outcome instanceof FireOutcome.Retry r) {
      counter("whiskfeed.fire.retries", "kind", kind, "status_class", statusClass(r.statusCode()))
          .increment(events.size());
    }
  }

  @Override
  public void dead(Target target) {
    counter("whiskfeed.events.dead", "kind", target.kind()).increment();
  }

  /** {@code 4xx}, {@code 5xx}, or {@code network} for a timeout or connection error. */
  static String statusClass(Integer status) {
    return status == null ? "network" : (status / 100) + "xx";
  }

  private static String outcomeName(FireOutcome outcome) {
    if (outcome instanceof FireOutcome.Delivered) return "delivered";
    if (outcome instanceof FireOutcome.Retry) return "retry";
    return "disable";
  }

  private Counter counter(String name, String... tags) {
    return (Counter) meters.computeIfAbsent(key(name, tags), k -> Counter.builder(name).tags(tags).register(registry));
  }

  private Timer fireLatency(String kind, String outcome) {
    return (Timer) meters.computeIfAbsent(key("whiskfeed.fire.latency", kind, outcome), k -> Timer.builder(
            "whiskfeed.fire.latency")
        .description("time from sending a fire to OpenWhisk's answer (or the timeout)")
        .tags("kind", kind, "outcome", outcome)
        .serviceLevelObjectives(FIRE_BUCKETS)
        .register(registry));
  }

  private Timer commitToFire(String kind) {
    return (Timer) meters.computeIfAbsent(key("whiskfeed.commit.to.fire", kind), k -> Timer.builder(
            "whiskfeed.commit.to.fire")
        .description("time from an event's creation (commit) to OpenWhisk accepting its fire")
        .tags("kind", kind)
        .serviceLevelObjectives(COMMIT_BUCKETS)
        .register(registry));
  }

  private static List<String> key(String name, String... parts) {
    List<String> key = new ArrayList<>(parts.length + 1);
    key.add(name);
    key.addAll(Arrays.asList(parts));
    return key;
  }

  private static Duration[] seconds(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) out[i] = Duration.ofNanos((long) (values[i] * 1e9));
    return out;
  }
}
