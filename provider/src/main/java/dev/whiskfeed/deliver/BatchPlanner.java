package dev.whiskfeed.deliver;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Groups one feed's claimed events into fires, in order. With {@code batchSize} 1 each event is
 * fired alone as its envelope; with more, a fire's body is {@code {"events":[e1,e2,…]}} and the
 * planner counts exactly the bytes of that JSON. No batch holds more than {@code batchSize}
 * events or more than {@code maxBytes} bytes; an event too large to be fired even alone goes to
 * {@code oversized} and never holds back the events behind it.
 */
public final class BatchPlanner {
  /** {@code {"events":[} */
  static final int BATCH_OPEN_BYTES = "{\"events\":[".length();
  /** {@code ]}} */
  static final int BATCH_CLOSE_BYTES = "]}".length();

  private BatchPlanner() {}

  /** The fires to make, in input order, and the events that fit in no fire. */
  public record Plan<T>(List<List<T>> batches, List<T> oversized) {
    public Plan {
      batches = batches.stream().map(List::copyOf).toList();
      oversized = List.copyOf(oversized);
    }
  }

  /**
   * @param envelopeBytes the UTF-8 size of an event's JSON envelope
   */
  public static <T> Plan<T> plan(List<T> events, int batchSize, int maxBytes, ToIntFunction<T> envelopeBytes) {
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
    List<List<T>> batches = new ArrayList<>();
    List<T> oversized = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long currentBytes = 0; // sum of the envelopes in current
    for (T event : events) {
      int size = envelopeBytes.applyAsInt(event);
      if (size < 0) throw new IllegalArgumentException("envelope size must not be negative, was " + size);
      if (bodyBytes(batchSize, 1, size) > maxBytes) {
        oversized.add(event);
        continue;
      }
      if (!current.isEmpty()
          && (current.size() == batchSize || bodyBytes(batchSize, current.size() + 1, currentBytes + size) > maxBytes)) {
        batches.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(event);
      currentBytes += size;
    }
    if (!current.isEmpty()) batches.add(current);
    return new Plan<>(batches, oversized);
  }

  /** The exact size of the fire body holding {@code count} envelopes of {@code envelopes} bytes in all. */
  static long bodyBytes(int batchSize, int count, long envelopes) {
    if (batchSize == 1) return envelopes;
    return BATCH_OPEN_BYTES + envelopes + (count - 1) + BATCH_CLOSE_BYTES;
  }
}
