package dev.whiskfeed.app;

import dev.whiskfeed.deliver.FeedRegistry;
import dev.whiskfeed.deliver.Target;
import dev.whiskfeed.feed.DeliverySettings;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.FeedRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import dev.whiskfeed.store.FeedRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Feeds from the control database as delivery targets; opens the event store of each feed it meets. */
final class TargetLoader implements FeedRegistry.Loader {
  private final Pool control;
  private final FeedRepository feeds;
  private final FeedCodec codec;
  private final EventStores stores;
  private final Map<Long, Target> cache = new HashMap<>();
  private final Map<Long, Long> versions = new HashMap<>();

  TargetLoader(Pool control, FeedRepository feeds, FeedCodec codec, EventStores stores) {
    this.control = control;
    this.feeds = feeds;
    this.codec = codec;
    this.stores = stores;
  }

  /**
   * The periodic reload reads only ids and versions, and opens (decrypts) only the feeds that
   * changed since the last read: with ten thousand feeds it stays cheap for the event loop.
   */
  @Override
  public Future<List<Target>> all() {
    return feeds.versions(control).compose(current -> {
      Long[] changed = current.entrySet().stream().filter(e -> !e.getValue().equals(versions.get(e.getKey())))
          .map(Map.Entry::getKey).toArray(Long[]::new);
      Future<List<FeedRow>> fresh = changed.length == 0 ? Future.succeededFuture(List.of())
          : feeds.findByIds(control, changed);
      return fresh.map(rows -> {
        cache.keySet().retainAll(current.keySet());
        versions.keySet().retainAll(current.keySet());
        for (FeedRow row : rows) {
          cache.put(row.id(), target(codec.toFeed(row)));
          versions.put(row.id(), row.version());
        }
        return List.copyOf(cache.values());
      });
    });
  }

  @Override
  public Future<Optional<Target>> one(long id) {
    return feeds.findById(control, id).map(row -> {
      if (row.isEmpty()) {
        cache.remove(id);
        versions.remove(id);
        return Optional.empty();
      }
      Target t = target(codec.toFeed(row.get()));
      cache.put(id, t);
      versions.put(id, row.get().version());
      return Optional.of(t);
    });
  }

  private Target target(Feed f) {
    String store = f.eventStore().name();
    if (stores.readyStore(store).isEmpty()) stores.open(f.eventStore());
    DeliverySettings d = f.delivery();
    return new Target(f.id(), f.feedId().namespace(), f.feedId().trigger(), f.kind().wireName(), f.authKey(),
        f.status().state().wireName(), store, d.maxTriggers(), d.maxRetries(), d.retryIntervalSec(), d.timeoutSec(),
        d.batchSize(), d.batchMaxBytes(), d.ordered());
  }
}
