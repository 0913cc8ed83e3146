package dev.whiskfeed.capture;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The WAL slots' gauges, sampled on a timer (a scrape never waits on a source): WAL each slot keeps
 * on its source, and how far the stored events trail the log (reported by the instance holding the
 * slot; 0 when it is caught up).
 */
public final class SlotGauges {
  private final Vertx vertx;
  private final WalCapture wal;
  private final Duration every;
  private final MultiGauge retained;
  private final MultiGauge lag;
  private long timer = -1;
  private boolean sampling;

  public SlotGauges(Vertx vertx, MeterRegistry registry, WalCapture wal, Duration every) {
    this.vertx = vertx;
    this.wal = wal;
    this.every = every;
    retained = MultiGauge.builder("whiskfeed.capture.slot.retained").baseUnit("bytes")
        .description("WAL the source keeps for the slot (current WAL position minus the slot's restart position)")
        .register(registry);
    lag = MultiGauge.builder("whiskfeed.capture.lag").baseUnit("seconds")
        .description("since the commit of the last transaction whose events were stored, while more are coming; "
            + "0 when capture is caught up")
        .register(registry);
  }

  public void start() {
    timer = vertx.setPeriodic(1, every.toMillis(), id -> sample());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private void sample() {
    if (sampling) return;
    sampling = true;
    wal.status().onComplete(ar -> {
      sampling = false;
      if (ar.failed()) return;
      List<MultiGauge.Row<?>> retainedRows = new ArrayList<>();
      List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
      for (WalCapture.SlotStatus s : ar.result()) {
        Tags store = Tags.of("store", s.store());
        if (s.retainedBytes() != null) retainedRows.add(MultiGauge.Row.of(store, s.retainedBytes()));
        if (s.state().equals("holding")) lagRows.add(MultiGauge.Row.of(store, s.lagSeconds()));
      }
      retained.register(retainedRows, true);
      lag.register(lagRows, true);
    });
  }
}
