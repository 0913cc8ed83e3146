package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reachability with the lines it logs captured, and the reconnect counted. */
class StoreReachabilityTest {
  private final LoggedLines lines = new LoggedLines(StoreWorker.class);
  private int reconnects;
  private int linesAtReconnect;

  private final StoreReachability reach = new StoreReachability("orders", () -> {
    reconnects++;
    linesAtReconnect = lines.all().size();
  });

  @AfterEach
  void release() {
    lines.close();
  }

  @Test
  void aStoreIsReachableUntilAFailureAndSuccessesMeanwhileSayNothing() {
    reach.connected();
    assertThat(reach.reachable()).isTrue();
    assertThat(reconnects).isZero();
    assertThat(lines.all()).isEmpty();
  }

  @Test
  void theFirstFailureIsLoggedOnceAsStoreLostByTheWorker() {
    reach.lost(new RuntimeException("connection refused"));
    reach.lost(new RuntimeException("again"));
    assertThat(reach.reachable()).isFalse();
    assertThat(lines.messages()).containsExactly("event=store.lost store=orders error=connection refused");
    assertThat(lines.all()).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN);
    assertThat(lines.all().get(0).getLoggerName()).isEqualTo(StoreWorker.class.getName());
  }

  @Test
  void theNextSuccessForgetsTheDoorbellsArmingThenLogsStoreConnected() {
    reach.lost(new RuntimeException(null, null));
    reach.connected();
    reach.connected();
    assertThat(reach.reachable()).isTrue();
    assertThat(reconnects).as("once per outage").isEqualTo(1);
    assertThat(linesAtReconnect).as("forgotten before store.connected is logged").isEqualTo(1);
    assertThat(lines.messages())
        .containsExactly("event=store.lost store=orders error=null", "event=store.connected store=orders");
  }
}
