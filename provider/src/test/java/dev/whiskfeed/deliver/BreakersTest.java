package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BreakersTest {
  private long now = 1_000_000_000L;
  private final List<Long> wakes = new ArrayList<>();
  private final Breakers breakers = new Breakers(() -> now, wakes::add, Duration.ofSeconds(30));
  private final Target feed = target(7, false);
  private static final FireOutcome.Retry SERVER_ERROR = new FireOutcome.Retry(503, null, "503");
  private static final long[] FEEDS = {3, 7, 9};

  @Test
  void opensAfterFiveFailedFiresInARowAndNotBefore() {
    for (int i = 0; i < 4; i++) assertThat(breakers.failed(feed, SERVER_ERROR, events(1))).isNull();
    assertThat(breakers.closed(FEEDS)).as("nothing open").containsExactly(3, 7, 9);
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 7, 9);
    assertThat(breakers.failed(feed, SERVER_ERROR, events(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 9);
    assertThat(wakes).containsExactly(1000L);
  }

  @Test
  void anAnswerInTheRowStartsItAgain() {
    for (int i = 0; i < 4; i++) breakers.failed(feed, SERVER_ERROR, events(1));
    assertThat(breakers.answered(7)).as("nothing was open").isFalse();
    for (int i = 0; i < 4; i++) breakers.failed(feed, SERVER_ERROR, events(1));
    assertThat(breakers.closed(FEEDS)).as("nothing open").containsExactly(3, 7, 9);
  }

  @Test
  void orderedFeedsHaveNoBreaker() {
    Target ordered = target(8, true);
    for (int i = 0; i < 20; i++) assertThat(breakers.failed(ordered, SERVER_ERROR, events(1))).isNull();
    assertThat(breakers.closed(new long[] {8})).containsExactly(8);
  }

  @Test
  void oneProbeAtATimeOnceItsIntervalHasPassed() {
    open();
    assertThat(breakers.probesDue(FEEDS)).isEmpty();
    now += 999_000_000L;
    assertThat(breakers.probesDue(FEEDS)).isEmpty();
    now += 1_000_000L;
    assertThat(breakers.probesDue(FEEDS)).containsExactly(7);
    assertThat(breakers.probesDue(FEEDS)).as("its claim is running").isEmpty();
    List<ClaimedEvent> probe = events(1);
    breakers.probing(7, probe.get(0).id());
    assertThat(breakers.probesDue(FEEDS)).as("it is out").isEmpty();
    assertThat(breakers.mayFire(7, probe)).isTrue();
    assertThat(breakers.mayFire(7, events(1))).as("an event claimed before the breaker opened").isFalse();
    assertThat(breakers.mayFire(3, events(2))).isTrue();
    assertThat(breakers.probesDue(new long[] {3, 9})).as("a feed no longer deliverable is not probed").isEmpty();
  }

  @Test
  void failedProbesDoubleTheIntervalUpToTenSecondsAndRetryAfterSetsIt() {
    open();
    List<Long> intervals = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      now += 60_000_000_000L;
      assertThat(breakers.probesDue(FEEDS)).containsExactly(7);
      List<ClaimedEvent> probe = events(1);
      breakers.probing(7, probe.get(0).id());
      breakers.failed(feed, SERVER_ERROR, events(1));
      assertThat(wakes).as("a fire that was not the probe changes nothing").hasSize(1 + i);
      breakers.failed(feed, SERVER_ERROR, probe);
      intervals.add(wakes.get(wakes.size() - 1));
    }
    assertThat(intervals).containsExactly(2000L, 4000L, 8000L, 10000L, 10000L, 10000L, 10000L);

    now += 60_000_000_000L;
    breakers.probesDue(FEEDS);
    List<ClaimedEvent> probe = events(1);
    breakers.probing(7, probe.get(0).id());
    breakers.failed(feed, new FireOutcome.Retry(503, Duration.ofSeconds(7), "503"), probe);
    assertThat(wakes.get(wakes.size() - 1)).isEqualTo(7000L);
    now += 60_000_000_000L;
    breakers.probesDue(FEEDS);
    probe = events(1);
    breakers.probing(7, probe.get(0).id());
    breakers.failed(feed, new FireOutcome.Retry(503, Duration.ofSeconds(120), "503"), probe);
    assertThat(wakes.get(wakes.size() - 1)).as("a longer Retry-After is cut to the longest interval").isEqualTo(10000L);
  }

  @Test
  void aFeedWithALongerRetryIntervalIsProbedNoMoreOftenThanThat() {
    Target slow = new Target(4, "guest", "slow", "webhook", "key", "active", "control", 0, 12, 120, 30, 1, 1_000_000,
        false);
    Duration first = null;
    for (int i = 0; i < Breakers.OPEN_AFTER; i++) first = breakers.failed(slow, SERVER_ERROR, events(1));
    assertThat(first).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void theFirstAnswerClosesIt() {
    openWithAProbeOut();
    assertThat(breakers.answered(7)).isTrue();
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 7, 9);
    assertThat(breakers.mayFire(7, events(3))).isTrue();
  }

  @Test
  void aProbeThatNeverComesBackIsReplacedAfterItsLease() {
    openWithAProbeOut();
    now += 29_000_000_000L;
    assertThat(breakers.probesDue(FEEDS)).isEmpty();
    now += 1_000_000_000L;
    assertThat(breakers.probesDue(FEEDS)).containsExactly(7);
  }

  @Test
  void whenNothingIsDueTheNextLookComesAfterAnInterval() {
    open();
    now += 1_000_000_000L;
    breakers.probesDue(FEEDS);
    breakers.probing(7, null);
    assertThat(breakers.probesDue(FEEDS)).isEmpty();
    assertThat(wakes.get(wakes.size() - 1)).isEqualTo(1000L);
    now += 1_000_000_000L;
    assertThat(breakers.probesDue(FEEDS)).containsExactly(7);
  }

  /** Opens feed 7's breaker, waits out the first interval and sends a probe. */
  private void openWithAProbeOut() {
    open();
    now += 1_000_000_000L;
    assertThat(breakers.probesDue(FEEDS)).containsExactly(7);
    breakers.probing(7, events(1).get(0).id());
  }

  private void open() {
    for (int i = 0; i < Breakers.OPEN_AFTER; i++) breakers.failed(feed, SERVER_ERROR, events(1));
    assertThat(breakers.closed(FEEDS)).containsExactly(3, 9);
  }

  private static List<ClaimedEvent> events(int n) {
    List<ClaimedEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ClaimedEvent(UUID.randomUUID(), i, 7, "MANUAL", null, null, Instant.EPOCH, 0, 0, null, Instant.EPOCH, 0));
    }
    return out;
  }

  private static Target target(long id, boolean ordered) {
    return new Target(id, "guest", "t" + id, "webhook", "key", "active", "control", 0, 12, 1, 30, 1, 1_000_000,
        ordered);
  }
}
