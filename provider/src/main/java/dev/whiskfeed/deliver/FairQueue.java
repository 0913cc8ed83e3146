package dev.whiskfeed.deliver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Items waiting per key, taken in turn: one of the first key's, then one of the next key's, and so
 * on. The fires waiting for a slot are queued per feed this way, so one feed's backlog cannot hold
 * back another feed's next fire. Not thread-safe: the engine uses it on its event loop only.
 */
final class FairQueue<T> {
  private final Map<Long, ArrayDeque<T>> queues = new LinkedHashMap<>();

  void add(long key, T item) {
    queues.computeIfAbsent(key, k -> new ArrayDeque<>()).add(item);
  }

  /** The next item of the key whose turn it is, or null; that key then goes to the end of the line. */
  T poll() {
    Iterator<Map.Entry<Long, ArrayDeque<T>>> it = queues.entrySet().iterator();
    if (!it.hasNext()) return null;
    Map.Entry<Long, ArrayDeque<T>> first = it.next();
    T item = first.getValue().poll();
    it.remove();
    if (!first.getValue().isEmpty()) queues.put(first.getKey(), first.getValue());
    return item;
  }

  /** Every item of {@code key}, in order; they leave the queue. */
  List<T> removeAll(long key) {
    ArrayDeque<T> items = queues.remove(key);
    return items == null ? List.of() : new ArrayList<>(items);
  }

  boolean isEmpty() {
    return queues.isEmpty();
  }

  void clear() {
    queues.clear();
  }
}
