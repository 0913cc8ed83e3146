package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BackfillIdsTest {
  @Test
  void theSameFeedRunAndKeyGiveTheSameIdAnyOtherADifferentOne() {
    UUID id = BackfillIds.of(7, 1, List.of("42"));
    assertThat(BackfillIds.of(7, 1, List.of("42"))).isEqualTo(id);
    assertThat(BackfillIds.of(7, 2, List.of("42"))).isNotEqualTo(id);
    assertThat(BackfillIds.of(8, 1, List.of("42"))).isNotEqualTo(id);
    assertThat(BackfillIds.of(7, 1, List.of("43"))).isNotEqualTo(id);
    // parts are length-prefixed: ("a,b") is not ("a", "b")
    assertThat(BackfillIds.of(7, 1, List.of("a,b"))).isNotEqualTo(BackfillIds.of(7, 1, List.of("a", "b")));
    assertThat(BackfillIds.of(7, 1, List.of("ab", ""))).isNotEqualTo(BackfillIds.of(7, 1, List.of("a", "b")));
  }

  @Test
  void idsAreVersion8WithOneRunsIdsSharingTheirFirst32Bits() {
    Set<UUID> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      UUID id = BackfillIds.of(7, 3, List.of(Integer.toString(i)));
      assertThat(id.version()).isEqualTo(8);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(id.getMostSignificantBits() >>> 32).isEqualTo(BackfillIds.of(7, 3, List.of()).getMostSignificantBits() >>> 32);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
  }
}
