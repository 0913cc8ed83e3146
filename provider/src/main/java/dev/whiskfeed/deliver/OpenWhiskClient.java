package dev.whiskfeed.deliver;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Fires triggers: {@code POST {openwhisk}/api/v1/namespaces/{ns}/triggers/{name}}, classified by {@link FireOutcome}. */
public final class OpenWhiskClient {
  private final WebClient client;
  private final String base;
  private final Clock clock;

  public OpenWhiskClient(WebClient client, URI openwhisk, Clock clock) {
    this.client = client;
    this.base = openwhisk.toString().replaceAll("/+$", "");
    this.clock = clock;
  }

  public Future<FireOutcome> fire(Target t, Buffer body, String eventIds) {
    return client.postAbs(triggerUrl(t.namespace(), t.trigger()))
        .putHeader("Authorization", basic(t.authKey()))
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Whiskfeed-Event-Id", eventIds)
        .timeout(t.timeoutSec() * 1000L)
        .sendBuffer(body)
        .map(r -> FireOutcome.classify(r.statusCode(), r.getHeader("Retry-After"),
            r.getHeader("x-openwhisk-activation-id"), r.bodyAsString(), clock.instant()))
        .recover(e -> Future.succeededFuture(FireOutcome.failure(e)));
  }

  String triggerUrl(String namespace, String trigger) {
    return base + "/api/v1/namespaces/" + segment(namespace) + "/triggers/" + segment(trigger);
  }

  static String basic(String authKey) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString(authKey.getBytes(StandardCharsets.UTF_8));
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
