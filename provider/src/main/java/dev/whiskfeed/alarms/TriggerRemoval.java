package dev.whiskfeed.alarms;

import dev.whiskfeed.feed.BasicAuth;
import dev.whiskfeed.feed.FeedId;
import dev.whiskfeed.feed.TriggerVerifier;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Deletes a trigger through the OpenWhisk API with the feed's stored key, as the alarms package
 * does for {@code deleteAfterFire}: with {@code rules}, first GET the trigger and DELETE each of its
 * rules ({@code rules} keys are {@code ns/name}), then DELETE the trigger. A 404 counts as done,
 * so a removal interrupted half-way can simply run again.
 */
final class TriggerRemoval {
  private static final long TIMEOUT_MS = 10_000;

  private final WebClient client;
  private final URI openwhisk;

  TriggerRemoval(WebClient client, URI openwhisk) {
    this.client = client;
    this.openwhisk = openwhisk;
  }

  Future<Void> remove(FeedId trigger, String authKey, boolean withRules) {
    Future<Void> rulesGone = withRules ? ruleNames(trigger, authKey).compose(names -> deleteRules(names, authKey))
        : Future.succeededFuture();
    return rulesGone.compose(v -> send(HttpMethod.DELETE, TriggerVerifier.triggerUrl(openwhisk, trigger), authKey))
        .mapEmpty();
  }

  private Future<List<String>> ruleNames(FeedId trigger, String authKey) {
    return send(HttpMethod.GET, TriggerVerifier.triggerUrl(openwhisk, trigger), authKey).map(r -> {
      JsonObject body = r.statusCode() == 404 ? null : r.bodyAsJsonObject();
      JsonObject rules = body == null ? null : body.getJsonObject("rules");
      return rules == null ? List.<String>of() : List.copyOf(rules.fieldNames());
    });
  }

  // one after another: a trigger has few rules, and OpenWhisk throttles per namespace
  private Future<Void> deleteRules(List<String> qualifiedNames, String authKey) {
    Future<Void> done = Future.succeededFuture();
    for (String name : qualifiedNames) {
      done = done.compose(v -> send(HttpMethod.DELETE, ruleUrl(name), authKey).mapEmpty());
    }
    return done;
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String url, String authKey) {
    return client.requestAbs(method, url)
        .putHeader("Authorization", BasicAuth.header(authKey))
        .timeout(TIMEOUT_MS)
        .send()
        .compose(r -> r.statusCode() / 100 == 2 || r.statusCode() == 404 ? Future.succeededFuture(r)
            : Future.failedFuture(method + " " + path(url) + " answered " + r.statusCode()));
  }

  private String ruleUrl(String qualifiedName) {
    int slash = qualifiedName.indexOf('/');
    String namespace = slash < 0 ? "_" : qualifiedName.substring(0, slash);
    String rule = qualifiedName.substring(slash + 1);
    return openwhisk.toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + segment(namespace) + "/rules/"
        + segment(rule);
  }

  private static String path(String url) {
    return URI.create(url).getRawPath();
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
