package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClaimsVacuumTest {
  @Test
  void vacuumsOnceEveryThousandSettledClaimsAndNeverTwiceAtOnce() {
    ClaimsVacuum vacuum = new ClaimsVacuum(1_000);
    assertThat(vacuum.settled(999)).isFalse();
    assertThat(vacuum.settled(1)).isTrue();
    assertThat(vacuum.settled(500)).as("the last one still runs").isFalse();
    assertThat(vacuum.settled(700)).as("the last one still runs").isFalse();
    vacuum.finished();
    assertThat(vacuum.settled(0)).as("the claims settled while it ran count towards the next").isTrue();
    vacuum.finished();
    assertThat(vacuum.settled(999)).isFalse();
  }
}
