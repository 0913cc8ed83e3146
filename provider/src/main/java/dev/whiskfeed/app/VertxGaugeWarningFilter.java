package dev.whiskfeed.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops one known, harmless warning: Micrometer (1.13.9 and later) warns when a gauge is registered
 * twice, and Vert.x's metrics register their connection and queue gauges once per connection on
 * purpose, sharing one counter by the gauge's id (vert-x3/vertx-micrometer-metrics#259,
 * micrometer-metrics/micrometer#6931). Micrometer logs it once per JVM, at the second Postgres or
 * HTTP connection, naming a {@code vertx.} meter; any other meter's warning still comes through.
 * Installed as a turbo filter by the provider's logback configurations.
 */
public final class VertxGaugeWarningFilter extends TurboFilter {
  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String MESSAGE = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    boolean vertxGauge = level == Level.WARN && format != null && format.startsWith(MESSAGE)
        && logger.getName().equals(LOGGER);
    return vertxGauge ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
