package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {
  @Test
  void theSameChangeOfTheSameFeedAlwaysGetsTheSameId() {
    assertThat(EventIds.of(0x16B374D848L, 7, 3)).isEqualTo(EventIds.of(0x16B374D848L, 7, 3));
  }

  @Test
  void feedsIndexesAndCommitsEachMakeADifferentId() {
    Set<UUID> ids = new HashSet<>();
    for (long lsn : new long[] {1, 2, 0x16B374D848L, (1L << 59) + 5}) {
      for (long feed = 1; feed <= 20; feed++) {
        for (int index = 0; index < 50; index++) ids.add(EventIds.of(lsn, feed, index));
      }
    }
    assertThat(ids).hasSize(4 * 20 * 50);
  }

  @Test
  void idsAreVersion8UuidsThatSortByCommitPosition() {
    UUID early = EventIds.of(0x1000, 99, 12);
    UUID late = EventIds.of(0x2000, 1, 0);
    assertThat(early.version()).isEqualTo(8);
    assertThat(early.variant()).isEqualTo(2);
    // Postgres compares uuids byte by byte: the commit position leads
    assertThat(early.toString().compareTo(late.toString())).isNegative();
  }

  @Test
  void largeFeedIdsAndIndexesStillGiveStableDistinctIds() {
    UUID a = EventIds.of(5, 1L << 40, 1L << 33);
    assertThat(a).isEqualTo(EventIds.of(5, 1L << 40, 1L << 33));
    assertThat(a).isNotEqualTo(EventIds.of(5, (1L << 40) + 1, 1L << 33));
  }
}
