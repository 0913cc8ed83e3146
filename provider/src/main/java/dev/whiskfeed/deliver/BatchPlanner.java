package dev.whiskfeed.deliver;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** Groups one feed's claimed events into fires under both limits; an event too big even alone is set apart. */
public final class BatchPlanner {
  /** {@code {"events":[} and {@code ]}}. */
  static final int BATCH_OVERHEAD = 13;

  public record Plan<T>(List<List<T>> batches, List<T> oversized) {}

  private BatchPlanner() {}

  public static <T> Plan<T> plan(List<T> events, int batchSize, int maxBytes, ToIntFunction<T> envelopeBytes) {
    List<List<T>> batches = new ArrayList<>();
    List<T> oversized = new ArrayList<>();
    boolean batch = batchSize > 1;
    int overhead = batch ? BATCH_OVERHEAD : 0;
    List<T> current = new ArrayList<>();
    long bytes = overhead;
    for (T e : events) {
      int size = envelopeBytes.applyAsInt(e);
      if (size + overhead > maxBytes) {
        oversized.add(e);
        continue;
      }
      long withIt = bytes + size + (current.isEmpty() ? 0 : 1);
      if (!current.isEmpty() && (current.size() >= batchSize || withIt > maxBytes)) {
        batches.add(current);
        current = new ArrayList<>();
        withIt = overhead + size;
      }
      current.add(e);
      bytes = withIt;
    }
    if (!current.isEmpty()) batches.add(current);
    return new Plan<>(batches, oversized);
  }
}
