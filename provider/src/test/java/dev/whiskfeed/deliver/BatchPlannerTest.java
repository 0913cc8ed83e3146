package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

  /** A test event: a name and its envelope size. */
  record E(String name, int bytes) {}

  private static List<E> events(int... sizes) {
    List<E> out = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) out.add(new E("e" + i, sizes[i]));
    return out;
  }

  private static BatchPlanner.Plan<E> plan(List<E> events, int batchSize, int maxBytes) {
    return BatchPlanner.plan(events, batchSize, maxBytes, E::bytes);
  }

  private static List<List<String>> names(BatchPlanner.Plan<E> p) {
    return p.batches().stream().map(b -> b.stream().map(E::name).toList()).toList();
  }

  @Test
  void batchSizeOneFiresEachEventAlone() {
    BatchPlanner.Plan<E> p = plan(events(10, 100, 101, 5), 1, 100);
    assertThat(names(p)).containsExactly(List.of("e0"), List.of("e1"), List.of("e3"));
    assertThat(p.oversized()).extracting(E::name).containsExactly("e2");
  }

  @Test
  void bodySizeIsExactlyTheJsonOfTheBatch() {
    List<JsonObject> envelopes = List.of(
        new JsonObject().put("id", "a").put("v", "ü"), new JsonObject().put("id", "b"), new JsonObject());
    long sum = envelopes.stream().mapToLong(BatchPlannerTest::utf8).sum();
    long actual = new JsonObject().put("events", new JsonArray(new ArrayList<>(envelopes)))
        .encode().getBytes(StandardCharsets.UTF_8).length;
    assertThat(BatchPlanner.bodyBytes(10, 3, sum)).isEqualTo(actual).isEqualTo(12 + sum + 3);
    assertThat(BatchPlanner.bodyBytes(10, 1, 7)).isEqualTo(new JsonObject()
        .put("events", new JsonArray().add(new JsonObject().put("a", 1))).encode().length());
    assertThat(BatchPlanner.bodyBytes(1, 1, 77)).isEqualTo(77);
  }

  private static long utf8(JsonObject o) {
    return o.encode().getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void batchesNeverExceedBatchSize() {
    assertThat(names(plan(events(1, 1, 1, 1, 1), 2, 1000)))
        .containsExactly(List.of("e0", "e1"), List.of("e2", "e3"), List.of("e4"));
  }

  @Test
  void batchesNeverExceedMaxBytes() {
    // {"events":[ + 40 + , + 40 + ]} = 11 + 81 + 2 = 94 fits in 94; a third would need 135.
    BatchPlanner.Plan<E> p = plan(events(40, 40, 40), 10, 94);
    assertThat(names(p)).containsExactly(List.of("e0", "e1"), List.of("e2"));
    assertThat(names(plan(events(40, 40, 40), 10, 93))).containsExactly(List.of("e0"), List.of("e1"), List.of("e2"));
  }

  @Test
  void anOversizedEventDoesNotBlockTheOthers() {
    // alone, an 88-byte envelope makes a 101-byte body: over 100.
    BatchPlanner.Plan<E> p = plan(events(10, 88, 20, 87), 5, 100);
    assertThat(names(p)).containsExactly(List.of("e0", "e2"), List.of("e3"));
    assertThat(p.oversized()).extracting(E::name).containsExactly("e1");
  }

  @Test
  void emptyInputPlansNothing() {
    BatchPlanner.Plan<E> p = plan(List.of(), 3, 100);
    assertThat(p.batches()).isEmpty();
    assertThat(p.oversized()).isEmpty();
  }

  @Test
  void rejectsNonsenseLimits() {
    assertThatThrownBy(() -> plan(events(1), 0, 100)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> plan(events(1), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> plan(events(-1), 1, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void everyEventOnceInOrderAndEveryBatchWithinLimits(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 400) Integer> sizes,
      @ForAll @IntRange(min = 1, max = 8) int batchSize,
      @ForAll @IntRange(min = 1, max = 500) int maxBytes) {
    List<E> events = events(sizes.stream().mapToInt(Integer::intValue).toArray());
    BatchPlanner.Plan<E> p = plan(events, batchSize, maxBytes);

    List<E> batched = p.batches().stream().flatMap(List::stream).toList();
    List<E> all = new ArrayList<>(batched);
    all.addAll(p.oversized());
    assertThat(all).containsExactlyInAnyOrderElementsOf(events);
    assertThat(batched.stream().map(events::indexOf).toList()).isSorted(); // order kept
    assertThat(p.oversized().stream().map(events::indexOf).toList()).isSorted();

    for (List<E> batch : p.batches()) {
      assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(batchSize);
      assertThat(body(batch, batchSize)).isLessThanOrEqualTo(maxBytes);
    }
    for (E e : p.oversized()) assertThat(body(List.of(e), batchSize)).isGreaterThan(maxBytes);
  }

  // Independent of the planner's formula: the length of the JSON it would send.
  private static long body(List<E> batch, int batchSize) {
    if (batchSize == 1) return batch.get(0).bytes();
    JsonArray array = new JsonArray();
    batch.forEach(e -> array.add("x".repeat(Math.max(0, e.bytes() - 2)))); // a JSON string of e.bytes() bytes
    long fake = new JsonObject().put("events", array).encode().length();
    return fake + batch.stream().filter(e -> e.bytes() < 2).mapToLong(e -> e.bytes() - 2).sum();
  }
}
