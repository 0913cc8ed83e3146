package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackfillPaceTest {
  static final long MS = 1_000_000;
  static final long S = 1_000 * MS;

  @Test
  void aRunStartsCarefullyThenRunsAtTheMinimumOnAQuietDatabase() {
    BackfillPace pace = new BackfillPace(0);
    assertThat(pace.after(50 * MS, 100 * MS, 0, 0)).as("busy until a window is measured").isEqualTo(950);
    assertThat(pace.after(50 * MS, 600 * MS, 1, 0)).isEqualTo(950);
    assertThat(pace.after(50 * MS, 2_200 * MS, 2, 0)).isZero(); // 2 commits in 2.1 s: quiet
    assertThat(pace.busy()).isFalse();
    for (int i = 0; i < 20; i++) assertThat(pace.after(50 * MS, 2_300 * MS + i * 60 * MS, 2 + i * 5, 0)).isZero();
  }

  @Test
  void whileOthersCommitItWorksAOneTwentiethOfTheTime() {
    BackfillPace pace = new BackfillPace(0);
    long now = 0;
    long commits = 0;
    for (int i = 0; i < 10; i++) {
      now += 500 * MS;
      pace.after(40 * MS, now, commits, 0);
    }
    assertThat(pace.busy()).isFalse();
    // writers start: 2,000 commits a second
    for (int i = 0; i < 5; i++) {
      now += 500 * MS;
      commits += 1_000;
      pace.after(40 * MS, now, commits, 0);
    }
    assertThat(pace.busy()).isTrue();
    assertThat(pace.after(80 * MS, now + 100 * MS, commits + 200, 0)).isEqualTo(1520);
    // and stop: after a quiet window it goes at full speed again
    long quietFrom = now + 100 * MS;
    for (int i = 1; i <= 6; i++) pace.after(40 * MS, quietFrom + i * 500 * MS, commits + 200, 0);
    assertThat(pace.busy()).isFalse();
    assertThat(pace.after(40 * MS, quietFrom + 3_500 * MS, commits + 201, 0)).isZero();
  }

  @Test
  void theBackfillsOwnCommitsDoNotMakeTheDatabaseBusy() {
    BackfillPace pace = new BackfillPace(0);
    long commits = 0;
    for (int i = 1; i <= 200; i++) {
      commits += 3; // its chunk, its progress record, its read of the count: 150 a second
      pace.after(15 * MS, i * 20 * MS, commits, 3);
    }
    assertThat(pace.busy()).isFalse();
  }

  @Test
  void theOperatorsMinimumAndTheCeilingBoundThePause() {
    BackfillPace withMinimum = new BackfillPace(20);
    assertThat(withMinimum.after(1 * MS, 0, 0, 0)).isEqualTo(20);
    assertThat(withMinimum.after(1 * MS, 3 * S, 0, 0)).isEqualTo(20);
    BackfillPace busy = new BackfillPace(0);
    assertThat(busy.after(10 * S, 0, 0, 0)).isEqualTo(BackfillPace.MAX_PAUSE_MS);
    assertThat(new BackfillPace(10_000).after(10 * S, 0, 0, 0)).isEqualTo(10_000);
  }
}
