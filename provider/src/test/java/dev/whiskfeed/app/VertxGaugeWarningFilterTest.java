package dev.whiskfeed.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class VertxGaugeWarningFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger meterRegistry = context.getLogger("io.micrometer.core.instrument.MeterRegistry");
  private final VertxGaugeWarningFilter filter = new VertxGaugeWarningFilter();

  private static String warning(String meter) {
    return "This Gauge has been already registered (MeterId{name='" + meter + "', tags=[]}), the registration will be "
        + "ignored. Note that subsequent logs will be logged at debug level.";
  }

  @Test
  void dropsMicrometersWarningAboutAVertxGauge() {
    assertThat(filter.decide(null, meterRegistry, Level.WARN, warning("vertx.net.client.active.connections"), null,
        null)).isEqualTo(FilterReply.DENY);
    assertThat(filter.decide(null, meterRegistry, Level.WARN, warning("vertx.pool.queue.pending"), null, null))
        .isEqualTo(FilterReply.DENY);
  }

  @Test
  void letsEveryOtherWarningThrough() {
    assertThat(filter.decide(null, meterRegistry, Level.WARN, warning("whiskfeed.store.backlog"), null, null))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(null, meterRegistry, Level.WARN, "A MeterFilter is being configured after a Meter has "
        + "been registered to this registry.", null, null)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(null, context.getLogger("dev.whiskfeed.Other"), Level.WARN,
        warning("vertx.net.client.active.connections"), null, null)).isEqualTo(FilterReply.NEUTRAL);
  }
}
