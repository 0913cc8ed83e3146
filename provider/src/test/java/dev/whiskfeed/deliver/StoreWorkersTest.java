package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.EventStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The workers against a dispatcher that never has room: a wake only asks it for room (and the
 * worker stays starved), so the test counts the wakes per store without any I/O.
 */
class StoreWorkersTest {
  private final List<String> wakes = new ArrayList<>();
  private final FeedRegistry registry = FixedFeeds.registry();

  private final StoreWorkers workers = new StoreWorkers(null, registry, null, "me", 30_000);

  @Test
  void aStoresWorkerIsMadeOnceAndClaimsWhenTheStoreOpens() {
    add("orders");
    add("orders");
    add("audit");
    assertThat(wakes).containsExactly("orders", "orders", "audit");
    assertThat(workers.all()).extracting(w -> w.store().name()).containsExactlyInAnyOrder("orders", "audit");
  }

  @Test
  void aWakeReachesEveryWorkerOrTheOneOfItsStore() {
    add("orders");
    add("audit");
    wakes.clear();
    workers.wake();
    assertThat(wakes).containsExactlyInAnyOrder("orders", "audit");
    wakes.clear();
    workers.wake("audit");
    workers.wake("unknown");
    assertThat(wakes).containsExactly("audit");
    wakes.clear();
    workers.wakeFully();
    workers.roomFreed();
    assertThat(wakes).as("full wakes, then a wake of each starved worker").hasSize(4);
  }

  @Test
  void workersThatStoppedClaimingTakeNoWakeAndAreIdle() {
    add("orders");
    workers.stopClaiming();
    wakes.clear();
    workers.wake();
    workers.wakeFully();
    assertThat(wakes).isEmpty();
    assertThat(workers.idle()).isTrue();
  }

  private void add(String store) {
    workers.add(new EventStore(store, null, null), new NoRoom(store));
  }

  /** Counts each wake of its worker's claim loop, which finds no room and claims nothing. */
  private final class NoRoom implements Dispatcher {
    private final String store;

    NoRoom(String store) {
      this.store = store;
    }

    @Override
    public int room(int held) {
      wakes.add(store);
      return 0;
    }

    @Override
    public int maxHeld() {
      return 1000;
    }

    @Override
    public void dispatch(StoreWorker worker, Map<Long, List<ClaimedEvent>> byFeed) {
      throw new AssertionError("nothing is claimed");
    }

    @Override
    public Breakers breakers() {
      throw new AssertionError("nothing is claimed");
    }

    @Override
    public int unanswered() {
      return 0;
    }

    @Override
    public long[] claimable(long[] feeds) {
      throw new AssertionError("nothing is claimed");
    }
  }
}
