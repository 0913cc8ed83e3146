package dev.whiskfeed.feed;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Checks a presented authKey against OpenWhisk: {@code GET /api/v1/namespaces/{ns}/triggers/{name}}
 * with that key. The answer's status is returned; an unreachable OpenWhisk fails with 503.
 */
public final class TriggerVerifier {
  private static final long TIMEOUT_MS = 10_000;
  private final WebClient client;
  private final URI openwhisk;

  public TriggerVerifier(WebClient client, URI openwhisk) {
    this.client = client;
    this.openwhisk = openwhisk;
  }

  public Future<Integer> check(FeedId id, String authKey) {
    return client.getAbs(triggerUrl(openwhisk, id))
        .putHeader("Authorization", BasicAuth.header(authKey))
        .timeout(TIMEOUT_MS)
        .send()
        .map(response -> response.statusCode())
        .recover(e -> Future.failedFuture(new WhiskfeedException(ErrorCode.OPENWHISK_UNAVAILABLE,
            String.valueOf(e.getMessage()))));
  }

  public static String triggerUrl(URI openwhisk, FeedId id) {
    String base = openwhisk.toString().replaceAll("/+$", "");
    return base + "/api/v1/namespaces/" + segment(id.namespace()) + "/triggers/" + segment(id.trigger());
  }

  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
