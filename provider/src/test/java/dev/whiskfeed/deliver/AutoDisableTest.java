package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Disabling against a write the test answers by hand. */
class AutoDisableTest {
  private static final Target FEED = new Target(7, "ns", "trigger", "webhook", "key", "active", "control", 0, 2, 10,
      60, 1, 1_000_000, false);

  private final FeedRegistry registry = FixedFeeds.registry(FEED);
  private final List<String> writes = new ArrayList<>();
  private final Promise<Boolean> answer = Promise.promise();
  private final AutoDisable disabler = new AutoDisable(registry, (id, reason) -> {
    writes.add(id + " " + reason.encode());
    return answer.future();
  });

  @Test
  void theRegistryStopsFiringTheFeedBeforeTheDatabaseAnswers() {
    registry.loadAll();
    assertThat(registry.deliverable("control", false)).containsExactly(7L);

    disabler.disable(FEED, 404, "trigger not found");
    assertThat(registry.get(7).orElseThrow().deliverable()).isFalse();
    assertThat(registry.deliverable("control", false)).isEmpty();
    assertThat(writes).containsExactly("7 {\"kind\":\"AUTO\",\"statusCode\":404,\"message\":\"trigger not found\"}");
    answer.complete(true);
  }

  @Test
  void aReasonWithoutAnAnswerHasNoStatusCode() {
    assertThat(AutoDisable.reason(null, Settlement.MAX_TRIGGERS_MESSAGE)).isEqualTo(new JsonObject()
        .put("kind", "AUTO").put("message", "Automatically disabled after reaching max triggers"));
  }
}
