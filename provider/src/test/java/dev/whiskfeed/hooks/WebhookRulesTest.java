package dev.whiskfeed.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.DeliverySettings;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedId;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedStatus;
import dev.whiskfeed.feed.KindRules.Validated;
import dev.whiskfeed.feed.KindRules.ValidationInput;
import dev.whiskfeed.store.HookRepository;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookRulesTest {
  static final FeedId ID = new FeedId("guest", "hook");
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  final WebhookRules rules = new WebhookRules(new SecureRandom(), new HookRepository());

  Validated create(JsonObject params) {
    return rules.validate(new ValidationInput(ID, params, params.fieldNames(), new JsonObject(), null, true, NOW,
        DeliverySettings.DEFAULTS, null))
        .result();
  }

  /** An UPDATE as FeedService makes it: stored kind config merged with the request's parameters. */
  Validated update(Validated stored, JsonObject changes) {
    Feed previous = new Feed(7, ID, FeedKind.WEBHOOK, stored.config(), stored.secrets(), "k:k",
        FeedStatus.active(NOW), DeliverySettings.DEFAULTS, 0, null, stored.hookToken(), 1);
    JsonObject merged = stored.config().copy().mergeIn(changes);
    return rules.validate(new ValidationInput(ID, merged, Set.copyOf(changes.fieldNames()), stored.secrets(),
        previous, false, NOW, DeliverySettings.DEFAULTS, null)).result();
  }

  @Test
  void defaultsAndAFreshToken() {
    Validated v = create(new JsonObject());
    assertThat(v.config()).isEqualTo(new JsonObject().put("maxBodyBytes", 1_048_576).put("rateLimitPerSec", 0));
    assertThat(v.secrets()).isEqualTo(new JsonObject());
    assertThat(HookToken.wellFormed(v.hookToken())).isTrue();
    assertThat(create(new JsonObject()).hookToken()).isNotEqualTo(v.hookToken());
  }

  @Test
  void theSecretIsSealedAwayAndOnlySaidToBeSet() {
    Validated v = create(new JsonObject().put("secret", "s3cret").put("maxBodyBytes", 2048).put("rateLimitPerSec", 5));
    assertThat(v.secrets()).isEqualTo(new JsonObject().put("secret", "s3cret"));
    assertThat(v.config()).isEqualTo(new JsonObject().put("maxBodyBytes", 2048).put("rateLimitPerSec", 5)
        .put("secret", "set"));
    assertThat(v.config().encode()).doesNotContain("s3cret");
  }

  @Test
  void updateKeepsTokenAndSecretUnlessAsked() {
    Validated v = create(new JsonObject().put("secret", "s3cret"));
    Validated same = update(v, new JsonObject().put("maxBodyBytes", 10));
    assertThat(same.hookToken()).isEqualTo(v.hookToken());
    assertThat(same.secrets().getString("secret")).isEqualTo("s3cret");
    assertThat(same.config().getInteger("maxBodyBytes")).isEqualTo(10);
    assertThat(update(v, new JsonObject().put("rotateHook", false)).hookToken()).isEqualTo(v.hookToken());

    Validated rotated = update(v, new JsonObject().put("rotateHook", true));
    assertThat(rotated.hookToken()).isNotEqualTo(v.hookToken());
    assertThat(rotated.config().containsKey("rotateHook")).isFalse();
    assertThat(rotated.secrets().getString("secret")).isEqualTo("s3cret");

    assertThat(update(v, new JsonObject().put("secret", "new")).secrets().getString("secret")).isEqualTo("new");
    Validated unsigned = update(v, new JsonObject().putNull("secret"));
    assertThat(unsigned.secrets()).isEqualTo(new JsonObject());
    assertThat(unsigned.config().containsKey("secret")).isFalse();
  }

  @Test
  void badValuesNameTheParameter() {
    assertThatThrownBy(() -> create(new JsonObject().put("maxBodyBytes", 0)))
        .isInstanceOf(WhiskfeedException.class).hasMessage("the maxBodyBytes parameter must be between 1 and 1048576");
    assertThatThrownBy(() -> create(new JsonObject().put("maxBodyBytes", 2_000_000))).hasMessageContaining("maxBodyBytes");
    assertThatThrownBy(() -> create(new JsonObject().put("rateLimitPerSec", -1))).hasMessageContaining("rateLimitPerSec");
    assertThatThrownBy(() -> create(new JsonObject().put("secret", ""))).hasMessageContaining("secret");
    assertThatThrownBy(() -> create(new JsonObject().put("secret", 42))).hasMessage("the secret parameter must be a string");
    assertThatThrownBy(() -> create(new JsonObject().put("secret", "x".repeat(1025)))).hasMessageContaining("secret");
    Validated v = create(new JsonObject());
    assertThatThrownBy(() -> update(v, new JsonObject().put("rotateHook", "yes"))).hasMessageContaining("rotateHook");
  }

  @Test
  void rotateHookIsAnUpdateOnlyParameter() {
    assertThat(rules.parameters()).containsExactlyInAnyOrder("secret", "maxBodyBytes", "rateLimitPerSec");
    assertThat(rules.updateOnlyParameters()).containsExactly("rotateHook");
  }
}
