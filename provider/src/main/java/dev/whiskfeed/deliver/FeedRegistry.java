package dev.whiskfeed.deliver;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The feeds this instance delivers for, in memory: loaded at start, reloaded one by one when the
 * lifecycle path NOTIFYs a change, and wholly on a timer as the safety net. Claims filter on
 * {@link #deliverable}, since an event store may be another database than the one holding the
 * feeds. Used from the verticle's event loop only.
 */
public final class FeedRegistry {
  /** Reads targets from the control database (the app wires it to the feed table and the master key). */
  public interface Loader {
    Future<List<Target>> all();

    Future<Optional<Target>> one(long id);
  }

  private final Loader loader;
  private Map<Long, Target> targets = new HashMap<>();
  private final Map<String, long[][]> deliverable = new HashMap<>();
  private int largestBatch = 1;
  private Runnable onChange = () -> {};

  public FeedRegistry(Loader loader) {
    this.loader = loader;
  }

  /** Called after the set of deliverable feeds changed (the engine claims again). */
  public void onChange(Runnable listener) {
    this.onChange = listener;
  }

  public Future<Void> loadAll() {
    return loader.all().map(list -> {
      Map<Long, Target> next = new HashMap<>();
      list.forEach(t -> next.put(t.id(), t));
      targets = next;
      changed();
      return null;
    });
  }

  public Future<Void> reload(long id) {
    return loader.one(id).map(t -> {
      if (t.isPresent()) targets.put(id, t.get());
      else targets.remove(id);
      changed();
      return null;
    });
  }

  public Optional<Target> get(long id) {
    return Optional.ofNullable(targets.get(id));
  }

  public int size() {
    return targets.size();
  }

  /** A snapshot of every feed known (for metrics: feeds by state and kind). */
  public List<Target> targets() {
    return List.copyOf(targets.values());
  }

  /** Stops firing a feed at once, ahead of the NOTIFY that will confirm it. */
  public void markDisabled(long id) {
    Target t = targets.get(id);
    if (t != null && t.deliverable()) {
      targets.put(id, t.withState("disabled"));
      changed();
    }
  }

  /** The largest {@code batchSize} of the active feeds (1 when none batches). */
  public int largestBatch() {
    return largestBatch;
  }

  /** Ids of the active feeds whose events live in {@code store}, unordered or ordered ones. */
  public long[] deliverable(String store, boolean ordered) {
    long[][] both = deliverable.computeIfAbsent(store, this::compute);
    return both[ordered ? 1 : 0];
  }

  private long[][] compute(String store) {
    List<Long> plain = new ArrayList<>();
    List<Long> ordered = new ArrayList<>();
    targets.values().stream().filter(t -> t.deliverable() && t.store().equals(store)).sorted(
        (a, b) -> Long.compare(a.id(), b.id())).forEach(t -> (t.ordered() ? ordered : plain).add(t.id()));
    return new long[][] {plain.stream().mapToLong(Long::longValue).toArray(),
        ordered.stream().mapToLong(Long::longValue).toArray()};
  }

  private void changed() {
    deliverable.clear();
    largestBatch = targets.values().stream().filter(Target::deliverable).mapToInt(Target::batchSize).max().orElse(1);
    onChange.run();
  }
}
