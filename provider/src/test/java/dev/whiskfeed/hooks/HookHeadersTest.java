package dev.whiskfeed.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class HookHeadersTest {
  @Test
  void keepsEventHeadersLowerCased() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add("User-Agent", "GitHub-Hookshot/abc")
        .add("X-GitHub-Event", "push")
        .add("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        .add("X-Hub-Signature-256", "sha256=00")
        .add("Stripe-Signature", "t=1,v1=ab")
        .add("webhook-id", "msg_1")
        .add("Host", "hooks.example.com")
        .add("Content-Length", "12")
        .add("Accept", "*/*");
    assertThat(HookHeaders.kept(headers)).isEqualTo(new JsonObject()
        .put("content-type", "application/json")
        .put("user-agent", "GitHub-Hookshot/abc")
        .put("x-github-event", "push")
        .put("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        .put("x-hub-signature-256", "sha256=00")
        .put("stripe-signature", "t=1,v1=ab")
        .put("webhook-id", "msg_1"));
  }

  @Test
  void neverKeepsCredentials() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Authorization", "Basic dXNlcjpwYXNz")
        .add("Proxy-Authorization", "Basic x")
        .add("Cookie", "session=1")
        .add("X-Gitlab-Token", "gitlab-secret")
        .add("X-Api-Key", "k")
        .add("X-Auth-Token", "t")
        .add("X-Amz-Security-Token", "t")
        .add("X-Webhook-Secret", "s")
        .add("X-CSRF-Token", "c")
        .add("X-Session-Id", "s");
    assertThat(HookHeaders.kept(headers)).isEqualTo(new JsonObject());
  }

  @Test
  void joinsRepeatedHeaders() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Tag", "a").add("x-tag", "b");
    assertThat(HookHeaders.kept(headers)).isEqualTo(new JsonObject().put("x-tag", "a, b"));
  }
}
