package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.deliver.Outages.After;
import dev.whiskfeed.store.ClaimedEvent;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OutagesTest {
  private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");
  private static final FireOutcome DELIVERED = FireOutcome.classify(200, null, "act-1", null, NOW);
  private static final FireOutcome SERVER_ERROR = FireOutcome.classify(503, null, null, null, NOW);
  private static final FireOutcome NO_ANSWER = FireOutcome.failure(new ConnectException("refused"));
  private static final FireOutcome THROTTLED = FireOutcome.classify(429, null, null, null, NOW);
  private static final FireOutcome NOT_FOUND = FireOutcome.classify(404, null, null, null, NOW);
  private static final long[] FEEDS = {3, 7, 9};

  private long now = 1_000_000_000L;
  private final List<Long> wakes = new ArrayList<>();
  private final Breakers breakers = new Breakers(() -> now, wakes::add, Duration.ofSeconds(30));
  private final Outages outages = new Outages(breakers);
  private final Target feed = new Target(7, "guest", "t7", "webhook", "key", "active", "control", 0, 12, 1, 30, 1,
      1_000_000, false);

  @Test
  void aSuccessWithoutAnOutageChangesNothing() {
    assertThat(outages.answered(feed, DELIVERED, events(1))).isEqualTo(After.NOTHING);
  }

  @Test
  void theFirstSuccessAfterAServerErrorOrNoAnswerIsARecoveryAndOnlyTheFirst() {
    assertThat(outages.answered(feed, SERVER_ERROR, events(1))).isEqualTo(After.NOTHING);
    assertThat(outages.answered(feed, DELIVERED, events(1))).isEqualTo(new After(true, false));
    assertThat(outages.answered(feed, DELIVERED, events(1))).isEqualTo(After.NOTHING);
    outages.answered(feed, NO_ANSWER, events(1));
    assertThat(outages.answered(feed, DELIVERED, events(1))).isEqualTo(new After(true, false));
  }

  @Test
  void aThrottledFeedIsNoOutageAndBreaksTheRowOfFailures() {
    assertThat(outages.answered(feed, THROTTLED, events(1))).isEqualTo(After.NOTHING);
    assertThat(outages.answered(feed, DELIVERED, events(1))).as("a 429 is no outage").isEqualTo(After.NOTHING);
    for (int i = 0; i < Breakers.OPEN_AFTER - 1; i++) outages.answered(feed, SERVER_ERROR, events(1));
    outages.answered(feed, THROTTLED, events(1));
    outages.answered(feed, SERVER_ERROR, events(1));
    assertThat(breakers.closed(FEEDS)).as("the 429 started the row again").containsExactly(3, 7, 9);
  }

  @Test
  void failedFiresInARowOpenTheBreakerAndTheFirstSuccessClosesItAndRecovers() {
    open();
    assertThat(wakes).as("the first probe is asked for after the feed's retry interval").containsExactly(1000L);
    assertThat(outages.answered(feed, DELIVERED, probe())).isEqualTo(new After(true, true));
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 7, 9);
  }

  @Test
  void aFailedProbeKeepsTheBreakerOpenAndAsksForTheNextProbeLater() {
    open();
    assertThat(outages.answered(feed, SERVER_ERROR, probe())).isEqualTo(After.NOTHING);
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 9);
    assertThat(wakes).as("the interval doubles").containsExactly(1000L, 2000L);
  }

  @Test
  void aThrottledProbeClosesTheBreakerWithoutARecovery() {
    open();
    assertThat(outages.answered(feed, THROTTLED, probe())).isEqualTo(new After(false, true));
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 7, 9);
  }

  @Test
  void aDisabledFeedsBreakerIsForgotten() {
    open();
    assertThat(outages.answered(feed, NOT_FOUND, probe())).isEqualTo(After.NOTHING);
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 7, 9);
    for (int i = 0; i < Breakers.OPEN_AFTER - 1; i++) outages.answered(feed, SERVER_ERROR, events(1));
    assertThat(breakers.closed(FEEDS)).as("its row of failures starts again").containsExactly(3, 7, 9);
  }

  private void open() {
    for (int i = 0; i < Breakers.OPEN_AFTER; i++) {
      assertThat(breakers.closed(FEEDS)).containsExactly(3, 7, 9);
      assertThat(outages.answered(feed, SERVER_ERROR, events(1))).isEqualTo(After.NOTHING);
    }
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 9);
  }

  /** Waits out the probe interval and claims the open feed's probe. */
  private List<ClaimedEvent> probe() {
    now += 60_000_000_000L;
    assertThat(breakers.probesDue(FEEDS)).containsExactly(7);
    List<ClaimedEvent> probe = events(1);
    breakers.probing(7, probe.get(0).id());
    assertThat(breakers.mayFire(7, probe)).isTrue();
    return probe;
  }

  private static List<ClaimedEvent> events(int n) {
    List<ClaimedEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ClaimedEvent(UUID.randomUUID(), i, 7, "MANUAL", null, null, Instant.EPOCH, 0, 0, null, Instant.EPOCH, 0));
    }
    return out;
  }
}
