package dev.whiskfeed.deliver;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines logged as one class while this is open (logback-test.xml logs dev.whiskfeed at INFO). */
final class LoggedLines implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger;

  LoggedLines(Class<?> loggedAs) {
    logger = (Logger) LoggerFactory.getLogger(loggedAs);
    appender.start();
    logger.addAppender(appender);
  }

  List<ILoggingEvent> all() {
    return appender.list;
  }

  /** Each line's message with its arguments, e.g. {@code event=store.lost store=orders error=…}. */
  List<String> messages() {
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
