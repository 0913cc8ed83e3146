package dev.whiskfeed.deliver;

import io.vertx.core.Future;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A {@link FeedRegistry} whose loader answers a fixed list of feeds, at once. */
final class FixedFeeds {
  private FixedFeeds() {}

  static FeedRegistry registry(Target... targets) {
    return new FeedRegistry(new FeedRegistry.Loader() {
      @Override
      public Future<List<Target>> all() {
        return Future.succeededFuture(List.of(targets));
      }

      @Override
      public Future<Optional<Target>> one(long id) {
        return Future.succeededFuture(Arrays.stream(targets).filter(t -> t.id() == id).findFirst());
      }
    });
  }
}
