package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
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
