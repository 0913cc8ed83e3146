package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeldLeasesTest {
  private static final long MS = 1_000_000L;
  private long now = 1_000 * MS;
  /** A 30 s lease. */
  private final HeldLeases leases = new HeldLeases(() -> now, 30_000);
  private final UUID id = UUID.randomUUID();

  @ParameterizedTest(name = "{0} ms after the claim: safe {1}")
  @CsvSource({"0, true", "10000, true", "19999, true", "20000, false", "30000, false", "40000, false"})
  void anEventMayBeFiredWhileAThirdOfItsLeaseIsLeft(long elapsedMs, boolean safe) {
    leases.hold(id, now);
    now += elapsedMs * MS;
    assertThat(leases.safe(id)).isEqualTo(safe);
  }

  @Test
  void aRenewalGivesTheLeaseItsWholeLifeAgain() {
    leases.hold(id, now);
    now += 25_000 * MS;
    assertThat(leases.safe(id)).isFalse();
    leases.renewed(List.of(id), now);
    assertThat(leases.safe(id)).isTrue();
  }

  @Test
  void aRenewalOfAnEventNoLongerHeldDoesNotHoldItAgain() {
    leases.hold(id, now);
    leases.let(id);
    leases.renewed(List.of(id), now);
    assertThat(leases.safe(id)).isFalse();
    assertThat(leases.size()).isZero();
  }

  @Test
  void aClaimOfAnEventHeldAlreadyOnlyRenewsItsLease() {
    assertThat(leases.claimed(id, now)).isTrue();
    assertThat(leases.size()).isZero();
    leases.hold(id, now);
    now += 25_000 * MS;
    assertThat(leases.claimed(id, now)).isFalse();
    assertThat(leases.safe(id)).isTrue();
    assertThat(leases.ids()).containsExactly(id);
  }

  @Test
  void anEventNotHeldIsNeverSafe() {
    assertThat(leases.safe(id)).isFalse();
    leases.hold(id, now);
    leases.clear();
    assertThat(leases.safe(id)).isFalse();
  }
}
