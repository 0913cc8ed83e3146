package dev.whiskfeed.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/** Captures everything logged while it is open, rendered as the production JSON encoder writes it. */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final LogstashEncoder encoder = new LogstashEncoder();
  private final Logger root;

  public LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    encoder.setContext(context);
    encoder.start();
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  /** Every captured line as JSON, with its stack trace if any. */
  public String text() {
    synchronized (appender) { // AppenderBase.doAppend holds the appender while it adds
      return appender.list.stream().map(e -> new String(encoder.encode(e), java.nio.charset.StandardCharsets.UTF_8))
          .collect(Collectors.joining());
    }
  }

  public List<String> events() {
    synchronized (appender) { // AppenderBase.doAppend holds the appender while it adds
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    encoder.stop();
  }
}
