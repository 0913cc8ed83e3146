package dev.whiskfeed.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ParamsTest {
  @Test
  void commonParametersHaveTheDocumentedDefaults() {
    assertThat(DeliverySettings.parse(new JsonObject())).isEqualTo(DeliverySettings.DEFAULTS);
    assertThat(DeliverySettings.DEFAULTS.maxRetries()).isEqualTo(12);
    assertThat(DeliverySettings.DEFAULTS.batchMaxBytes()).isEqualTo(900_000);
  }

  @Test
  void integersMayComeAsDigitStrings() {
    DeliverySettings d = DeliverySettings.parse(new JsonObject().put("maxTriggers", "5").put("ordered", "true"));
    assertThat(d.maxTriggers()).isEqualTo(5);
    assertThat(d.ordered()).isTrue();
  }

  @Test
  void wrongTypesAndRangesNameTheParameter() {
    assertThatThrownBy(() -> DeliverySettings.parse(new JsonObject().put("maxRetries", "many")))
        .isInstanceOf(WhiskfeedException.class).hasMessage("the maxRetries parameter must be an integer");
    assertThatThrownBy(() -> DeliverySettings.parse(new JsonObject().put("timeoutSec", 1.5)))
        .hasMessage("the timeoutSec parameter must be an integer");
    assertThatThrownBy(() -> DeliverySettings.parse(new JsonObject().put("batchSize", 0)))
        .hasMessage("the batchSize parameter must be between 1 and 1000");
    assertThatThrownBy(() -> DeliverySettings.parse(new JsonObject().put("batchSize", new java.math.BigInteger("99999999999999999999999"))))
        .hasMessage("the batchSize parameter must be an integer");
    assertThatThrownBy(() -> DeliverySettings.parse(new JsonObject().put("ordered", 1)))
        .hasMessage("the ordered parameter must be true or false");
    assertThatThrownBy(() -> DeliverySettings.parse(new JsonObject().put("maxTriggers", 0)))
        .hasMessageContaining("maxTriggers");
  }

  @Test
  void feedIdsRefuseTheUnresolvedNamespaceAndOddNames() {
    assertThat(FeedId.parse("/guest/orders").toString()).isEqualTo("/guest/orders");
    assertThatThrownBy(() -> new FeedId("_", "t")).hasMessageContaining("'_'");
    assertThatThrownBy(() -> new FeedId("guest", "../etc")).isInstanceOf(WhiskfeedException.class);
    assertThatThrownBy(() -> new FeedId("guest", "a/b")).isInstanceOf(WhiskfeedException.class);
    assertThatThrownBy(() -> FeedId.parse("guest")).isInstanceOf(WhiskfeedException.class);
  }
}
