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
import java.util.List;
import java.util.Optional;

/** Feeds from the control database as delivery targets; opens the event store of each feed it meets. */
final class TargetLoader implements FeedRegistry.Loader {
  private final Pool control;
  private final FeedRepository feeds;
  private final FeedCodec codec;
  private final EventStores stores;

  TargetLoader(Pool control, FeedRepository feeds, FeedCodec codec, EventStores stores) {
    this.control = control;
    this.feeds = feeds;
    this.codec = codec;
    this.stores = stores;
  }

  @Override
  public Future<List<Target>> all() {
    return feeds.all(control).map(rows -> rows.stream().map(codec::toFeed).map(this::target).toList());
  }

  @Override
  public Future<Optional<Target>> one(long id) {
    return feeds.findById(control, id).map(row -> row.map(codec::toFeed).map(this::target));
  }

  private Target target(Feed f) {
    String source = f.config().getString("source");
    String database = f.secrets().getString("database");
    String store = EventStores.nameFor(source, database);
    if (stores.readyStore(store).isEmpty()) stores.open(source, database);
    DeliverySettings d = f.delivery();
    return new Target(f.id(), f.feedId().namespace(), f.feedId().trigger(), f.kind().wireName(), f.authKey(),
        f.status().state().wireName(), store, d.maxTriggers(), d.maxRetries(), d.retryIntervalSec(), d.timeoutSec(),
        d.batchSize(), d.batchMaxBytes(), d.ordered());
  }
}
