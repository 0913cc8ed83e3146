package dev.whiskfeed.deliver;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One POST to OpenWhisk: a feed's events and their envelopes ({@code parts}, in the events' order).
 * {@code ids}: the events' ids, comma-separated (header and log lines).
 */
record Fire(StoreWorker worker, Target target, List<ClaimedEvent> events, List<Buffer> parts, Buffer body,
            String ids) {

  Fire(StoreWorker worker, Target target, List<ClaimedEvent> events, List<Buffer> parts) {
    this(worker, target, List.copyOf(events), List.copyOf(parts), Envelope.body(parts, target.batchSize() > 1),
        events.stream().map(e -> e.id().toString()).collect(Collectors.joining(",")));
  }

  /** The fire's events go back to the store untouched, due at once, their attempts not counted. */
  void handBack() {
    events.forEach(e -> worker.ack(Ack.release(e.id())));
  }

  /** One feed's claimed events as fires, in order, and the dead letters of those too large for any fire. */
  record Planned(List<Fire> fires, List<Ack> dead) {}

  /**
   * {@code events} of {@code target}, claimed by {@code worker}, in as few fires as the feed's
   * batchSize and batchMaxBytes allow; an event whose envelope alone is larger than batchMaxBytes
   * is dead before any fire ({@link Settlement#oversized}).
   */
  static Planned plan(StoreWorker worker, Target target, List<ClaimedEvent> events) {
    Map<UUID, Buffer> bodies = new HashMap<>();
    events.forEach(e -> bodies.put(e.id(), Envelope.of(e, target)));
    BatchPlanner.Plan<ClaimedEvent> plan = BatchPlanner.plan(events, target.batchSize(), target.batchMaxBytes(),
        e -> bodies.get(e.id()).length());
    List<Ack> dead = plan.oversized().stream()
        .map(e -> Settlement.oversized(e, bodies.get(e.id()).length(), target)).toList();
    List<Fire> fires = plan.batches().stream()
        .map(batch -> new Fire(worker, target, batch, batch.stream().map(e -> bodies.get(e.id())).toList())).toList();
    return new Planned(fires, dead);
  }

  long feedId() {
    return target.id();
  }

  String namespace() {
    return target.namespace();
  }

  /**
   * The same events as {@code fires} (one feed's fires, in order) in as few fires as the feed's
   * batchSize and batchMaxBytes allow, in the same order: fires that waited for their namespace's
   * pace go out fuller. Fires of a feed that does not batch stay as they are.
   */
  static List<Fire> regroup(List<Fire> fires) {
    Fire first = fires.get(0);
    Target t = first.target();
    if (fires.size() == 1 || t.batchSize() == 1) return fires;
    List<ClaimedEvent> events = new ArrayList<>();
    List<Buffer> parts = new ArrayList<>();
    for (Fire f : fires) {
      events.addAll(f.events());
      parts.addAll(f.parts());
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) order.add(i);
    // every envelope fitted a fire alone when it was planned, so none is oversized now
    BatchPlanner.Plan<Integer> plan = BatchPlanner.plan(order, t.batchSize(), t.batchMaxBytes(),
        i -> parts.get(i).length());
    List<Fire> out = new ArrayList<>();
    for (List<Integer> batch : plan.batches()) {
      out.add(new Fire(first.worker(), t, batch.stream().map(events::get).toList(),
          batch.stream().map(parts::get).toList()));
    }
    for (Integer i : plan.oversized()) out.add(new Fire(first.worker(), t, List.of(events.get(i)), List.of(parts.get(i))));
    return out;
  }
}
