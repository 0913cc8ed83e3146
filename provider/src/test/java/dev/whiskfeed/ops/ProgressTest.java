package dev.whiskfeed.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ProgressTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Logger log;

  @BeforeEach
  void capture() {
    log = (Logger) LoggerFactory.getLogger("ProgressTest" + System.nanoTime());
    log.setLevel(ch.qos.logback.classic.Level.INFO);
    lines.start();
    log.addAppender(lines);
  }

  private void seconds(double s) {
    now.addAndGet((long) (s * TimeUnit.SECONDS.toNanos(1)));
  }

  @Test
  void workThatEndsWithinFiveSecondsLogsNothing() {
    Progress p = new Progress(log, "startup.check.progress", 1000, now::get);
    for (int i = 0; i < 1000; i++) {
      p.step();
      seconds(0.004);
    }
    assertThat(p.done()).isEqualTo(1000);
    assertThat(lines.list).isEmpty();
  }

  @Test
  void longWorkLogsAtMostOneLineEveryFiveSecondsWithWhatIsDone() {
    Progress p = new Progress(log, "startup.check.progress", 300, now::get);
    for (int i = 0; i < 300; i++) {
      seconds(0.1); // 30 s in all
      p.step();
    }
    assertThat(lines.list).hasSize(6);
    assertThat(lines.list.get(0).getFormattedMessage()).isEqualTo("event=startup.check.progress done=50 total=300");
    assertThat(lines.list.get(5).getFormattedMessage()).isEqualTo("event=startup.check.progress done=300 total=300");
  }

  @Test
  void anUnknownTotalIsLeftOut() {
    Progress p = new Progress(log, "master_key.rotation.progress", -1, now::get);
    seconds(6);
    p.step();
    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("event=master_key.rotation.progress done=1");
  }
}
