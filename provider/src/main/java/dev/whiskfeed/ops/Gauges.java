package dev.whiskfeed.ops;

import dev.whiskfeed.deliver.FeedRegistry;
import dev.whiskfeed.deliver.Target;
import dev.whiskfeed.deliver.WorkerReport;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gauges sampled on a timer rather than at scrape time, so a scrape never waits on a database:
 * per store up, backlog, oldest pending age (of all events, and of active feeds' events), leases (all instances) and leases held by this
 * instance; feeds by state and kind from the feed registry. Runs on the verticle's event loop.
 */
public final class Gauges {
  private final Vertx vertx;
  private final StoreProbe probe;
  private final FeedRegistry feeds;
  private final Duration every;
  private final MultiGauge up;
  private final MultiGauge backlog;
  private final MultiGauge oldestAge;
  private final MultiGauge oldestDeliverableAge;
  private final MultiGauge leases;
  private final MultiGauge leasesHeld;
  private final MultiGauge feedsByState;
  private long timer = -1;
  private boolean sampling;

  public Gauges(Vertx vertx, MeterRegistry registry, StoreProbe probe, FeedRegistry feeds, Duration every) {
    this.vertx = vertx;
    this.probe = probe;
    this.feeds = feeds;
    this.every = every;
    up = gauge(registry, "whiskfeed.store.up", null, "1 when the store answered its last probe, else 0");
    backlog = gauge(registry, "whiskfeed.store.backlog", null,
        "pending events (counted up to " + dev.whiskfeed.store.StoreStats.BACKLOG_CAP + ")");
    oldestAge = gauge(registry, "whiskfeed.store.oldest.pending.age", "seconds", "age of the oldest pending event");
    oldestDeliverableAge = gauge(registry, "whiskfeed.store.oldest.deliverable.age", "seconds",
        "age of the oldest pending event of an active feed (paused and disabled feeds' events wait on purpose)");
    leases = gauge(registry, "whiskfeed.store.leases", null, "events leased right now, by any instance");
    leasesHeld = gauge(registry, "whiskfeed.leases.held", null, "events this instance holds a lease on");
    feedsByState = gauge(registry, "whiskfeed.feeds", null, "feeds known to this instance, by state and kind");
  }

  public void start() {
    sample();
    timer = vertx.setPeriodic(every.toMillis(), id -> sample());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private void sample() {
    sampleFeeds();
    if (sampling) return;
    sampling = true;
    probe.states().onComplete(ar -> {
      sampling = false;
      if (ar.succeeded()) sampleStores(ar.result());
    });
  }

  private void sampleStores(List<StoreProbe.StoreState> states) {
    List<MultiGauge.Row<?>> upRows = new ArrayList<>();
    List<MultiGauge.Row<?>> backlogRows = new ArrayList<>();
    List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
    List<MultiGauge.Row<?>> deliverableAgeRows = new ArrayList<>();
    List<MultiGauge.Row<?>> leaseRows = new ArrayList<>();
    List<MultiGauge.Row<?>> heldRows = new ArrayList<>();
    for (StoreProbe.StoreState s : states) {
      Tags store = Tags.of("store", s.check().store());
      upRows.add(MultiGauge.Row.of(store, s.check().up() ? 1 : 0));
      if (s.pending() != null) {
        backlogRows.add(MultiGauge.Row.of(store, s.pending().backlog()));
        ageRows.add(MultiGauge.Row.of(store, s.pending().oldestAgeSec()));
        deliverableAgeRows.add(MultiGauge.Row.of(store, s.pending().oldestDeliverableAgeSec()));
        leaseRows.add(MultiGauge.Row.of(store, s.pending().leased()));
      }
      WorkerReport worker = s.worker();
      heldRows.add(MultiGauge.Row.of(store, worker == null ? 0 : worker.held()));
    }
    up.register(upRows, true);
    backlog.register(backlogRows, true);
    oldestAge.register(ageRows, true);
    oldestDeliverableAge.register(deliverableAgeRows, true);
    leases.register(leaseRows, true);
    leasesHeld.register(heldRows, true);
  }

  private void sampleFeeds() {
    Map<Tags, Integer> counts = new HashMap<>();
    for (FeedState state : FeedState.values()) {
      for (FeedKind kind : FeedKind.values()) counts.put(Tags.of("state", state.wireName(), "kind", kind.wireName()), 0);
    }
    for (Target t : feeds.targets()) counts.merge(Tags.of("state", t.state(), "kind", t.kind()), 1, Integer::sum);
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    counts.forEach((tags, n) -> rows.add(MultiGauge.Row.of(tags, n)));
    feedsByState.register(rows, true);
  }

  private static MultiGauge gauge(MeterRegistry registry, String name, String unit, String description) {
    return MultiGauge.builder(name).baseUnit(unit).description(description).register(registry);
  }
}
