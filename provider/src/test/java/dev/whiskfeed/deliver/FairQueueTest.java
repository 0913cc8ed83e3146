package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairQueueTest {
  @Test
  void keysTakeTurnsWhateverTheirBacklog() {
    FairQueue<String> q = new FairQueue<>();
    for (int i = 1; i <= 4; i++) q.add(1, "a" + i);
    q.add(2, "b1");
    q.add(3, "c1");
    q.add(2, "b2");
    List<String> order = new ArrayList<>();
    for (String s = q.poll(); s != null; s = q.poll()) order.add(s);
    assertThat(order).containsExactly("a1", "b1", "c1", "a2", "b2", "a3", "a4");
  }

  @Test
  void aKeyThatComesBackJoinsTheEndOfTheLine() {
    FairQueue<String> q = new FairQueue<>();
    q.add(1, "a1");
    q.add(2, "b1");
    assertThat(q.poll()).isEqualTo("a1");
    q.add(1, "a2");
    q.add(3, "c1");
    assertThat(q.poll()).isEqualTo("b1");
    assertThat(q.poll()).isEqualTo("a2");
    assertThat(q.poll()).isEqualTo("c1");
    assertThat(q.poll()).isNull();
  }

  @Test
  void clearEmptiesEveryQueue() {
    FairQueue<String> q = new FairQueue<>();
    q.add(1, "a1");
    q.add(2, "b1");
    q.clear();
    assertThat(q.poll()).isNull();
  }
}
