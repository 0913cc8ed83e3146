package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.capture.ChangesParams.Op;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FeedLookupTest {
  final List<WalFeed> stored = new ArrayList<>();
  final AtomicInteger loads = new AtomicInteger();
  final AtomicLong nanos = new AtomicLong(1_000);
  final FeedLookup lookup = new FeedLookup(() -> {
    loads.incrementAndGet();
    return List.copyOf(stored);
  }, nanos::get);

  static WalFeed feed(long id, String table) {
    return new WalFeed(id, "public", table, EnumSet.allOf(Op.class), List.of(), List.of());
  }

  @Test
  void theFeedsAreReadOnFirstUseAndThenKept() throws Exception {
    stored.add(feed(1, "orders"));
    assertThat(lookup.feedsOf("public", "orders", 500)).extracting(WalFeed::id).containsExactly(1L);
    assertThat(lookup.feedsOf("public", "orders", 5_000)).extracting(WalFeed::id).containsExactly(1L);
    assertThat(loads).hasValue(1);
  }

  @Test
  void aTableWithoutFeedsIsLookedUpAgainForATransactionThatArrivedAfterTheRead() throws Exception {
    assertThat(lookup.feedsOf("public", "orders", 500)).isEmpty(); // read at 1,000
    stored.add(feed(2, "orders"));                                  // created, then a change committed
    nanos.set(2_000);
    assertThat(lookup.feedsOf("public", "orders", 1_500)).extracting(WalFeed::id).containsExactly(2L);
    assertThat(loads).hasValue(2);
  }

  @Test
  void aTableNobodyCapturesCostsNoReadPerChangeOfATransactionThatArrivedBefore() throws Exception {
    assertThat(lookup.feedsOf("public", "other", 500)).isEmpty();
    assertThat(lookup.feedsOf("public", "other", 900)).isEmpty();
    assertThat(lookup.feedsOf("public", "other", 1_000)).isEmpty();
    assertThat(loads).hasValue(1);
  }

  @Test
  void aSecondFeedOfACapturedTableIsSeenOnceTheFeedsAreMarkedStale() throws Exception {
    stored.add(feed(1, "orders"));
    lookup.feedsOf("public", "orders", 500);
    stored.add(feed(3, "orders"));
    assertThat(lookup.feedsOf("public", "orders", 5_000)).extracting(WalFeed::id).containsExactly(1L);
    lookup.invalidate();
    assertThat(lookup.stale()).isTrue();
    assertThat(lookup.feedsOf("public", "orders", 5_000)).extracting(WalFeed::id).containsExactly(1L, 3L);
    assertThat(lookup.stale()).isFalse();
  }

  @Test
  void theSafetyNetReadsTheFeedsAgainOnlyOnceTheyAreOlderThanTheMaxAge() throws Exception {
    stored.add(feed(1, "orders"));
    lookup.feedsOf("public", "orders", 500); // read at 1,000
    stored.add(feed(4, "orders"));          // changed without a notification reaching the reader
    nanos.set(1_000 + 60_000);
    assertThat(lookup.expire(60_000)).isFalse(); // capture checks within the max age: no read
    assertThat(lookup.feedsOf("public", "orders", 50_000)).extracting(WalFeed::id).containsExactly(1L);
    assertThat(loads).hasValue(1);
    nanos.set(1_000 + 60_001);
    assertThat(lookup.expire(60_000)).isTrue();
    assertThat(lookup.feedsOf("public", "orders", 50_000)).extracting(WalFeed::id).containsExactly(1L, 4L);
    assertThat(loads).hasValue(2);
    assertThat(lookup.expire(60_000)).as("just read").isFalse();
  }

  @Test
  void feedsNeverReadAreNotExpiredButReadOnFirstUse() throws Exception {
    assertThat(lookup.expire(60_000)).isFalse();
    assertThat(lookup.stale()).isTrue();
  }
}
