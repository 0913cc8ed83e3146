package dev.whiskfeed.feed;

import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.EventStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One event with its delivery attempts, Hasura's invocation log: the event by its id from its store
 * (a primary-key lookup), its attempts from the control database's delivery log (one index range
 * of the feed's attempts during the event's life).
 */
final class EventHistory {
  private final Pool control;
  private final EventRepository events;
  private final DeliveryLog log;

  EventHistory(Pool control, EventRepository events, DeliveryLog log) {
    this.control = control;
    this.events = events;
    this.log = log;
  }

  /** An event found in a store: the store's name and the event. */
  record Located(String store, EventRepository.Found event) {}

  /** The event {@code eventId} of feed {@code feedId} in {@code store}; empty when it is not that feed's. */
  Future<Optional<JsonObject>> ofFeed(EventStore store, long feedId, UUID eventId) {
    return events.find(store.pool(), eventId).compose(found -> found.isPresent() && found.get().feedId() == feedId
        ? withAttempts(found.get()).map(Optional::of)
        : Future.succeededFuture(Optional.empty()));
  }

  /** The event {@code eventId} in the first of {@code stores} that holds it (ids of different stores never collide). */
  Future<Optional<Located>> anywhere(List<EventStore> stores, UUID eventId) {
    return search(stores, 0, eventId);
  }

  /** The listing fields, {@code attempts} as the array of attempts and the count as {@code attemptCount}. */
  Future<JsonObject> withAttempts(EventRepository.Found e) {
    JsonObject json = e.json().copy();
    Object count = json.remove("attempts");
    return log.attempts(control, e.feedId(), UUID.fromString(json.getString("id")), e.createdAt(), e.doneAt())
        .map(attempts -> json.put("attemptCount", count).put("attempts", attempts));
  }

  private Future<Optional<Located>> search(List<EventStore> stores, int index, UUID eventId) {
    if (index >= stores.size()) return Future.succeededFuture(Optional.empty());
    EventStore store = stores.get(index);
    return events.find(store.pool(), eventId).compose(found -> found.isPresent()
        ? Future.succeededFuture(Optional.of(new Located(store.name(), found.get())))
        : search(stores, index + 1, eventId));
  }
}
