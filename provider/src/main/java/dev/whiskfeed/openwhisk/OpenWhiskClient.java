package dev.whiskfeed.openwhisk;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The one client of OpenWhisk's REST API ({@code /api/v1/namespaces/{ns}/triggers|rules/{name}}):
 * fires a trigger, reads it, deletes it and its rules. Every request carries the caller's authKey as
 * HTTP Basic credentials and has a timeout. It reports what OpenWhisk answered; what an answer means
 * (a fire's outcome, an authKey check, a removal) is the caller's to decide.
 *
 * <p>The connections are the given {@link WebClient}'s; {@code app} builds one client over the fires'
 * pool and one over a pool of its own for trigger checks.
 */
public final class OpenWhiskClient {
  /** Every request but a fire, which has its feed's {@code timeoutSec}. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final WebClient web;
  private final ApiUrls urls;

  public OpenWhiskClient(WebClient web, URI openwhisk) {
    this.web = web;
    this.urls = new ApiUrls(openwhisk);
  }

  /**
   * {@code POST} to the trigger with a JSON body; {@code eventIds} go in {@code X-Whiskfeed-Event-Id}.
   * Fails only when no answer came (timeout, connection error).
   */
  public Future<FireAnswer> fire(QualifiedName trigger, String authKey, Buffer body, String eventIds,
                                 Duration timeout) {
    return web.postAbs(urls.trigger(trigger))
        .putHeader("Authorization", BasicAuth.header(authKey))
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Whiskfeed-Event-Id", eventIds)
        .timeout(timeout.toMillis())
        .sendBuffer(body)
        .map(r -> new FireAnswer(r.statusCode(), r.getHeader("Retry-After"), r.getHeader("x-openwhisk-activation-id"),
            r.bodyAsString()));
  }

  /** {@code GET} the trigger with this key: OpenWhisk's status, whatever it is; fails only when no answer came. */
  public Future<Integer> triggerStatus(QualifiedName trigger, String authKey) {
    return send(HttpMethod.GET, urls.trigger(trigger), authKey).map(HttpResponse::statusCode);
  }

  /** The trigger's rules ({@code GET} the trigger); none when it is gone (404). Any other non-2xx fails. */
  public Future<List<QualifiedName>> triggerRules(QualifiedName trigger, String authKey) {
    return sendUnlessFailed(HttpMethod.GET, urls.trigger(trigger), authKey).map(r -> {
      JsonObject body = r.statusCode() == 404 ? null : r.bodyAsJsonObject();
      JsonObject rules = body == null ? null : body.getJsonObject("rules");
      return rules == null ? List.<QualifiedName>of() : rules.fieldNames().stream().map(QualifiedName::parse).toList();
    });
  }

  /** {@code DELETE} the rule; a 404 counts as done, any other non-2xx fails. */
  public Future<Void> deleteRule(QualifiedName rule, String authKey) {
    return sendUnlessFailed(HttpMethod.DELETE, urls.rule(rule), authKey).mapEmpty();
  }

  /** {@code DELETE} the trigger; a 404 counts as done, any other non-2xx fails. */
  public Future<Void> deleteTrigger(QualifiedName trigger, String authKey) {
    return sendUnlessFailed(HttpMethod.DELETE, urls.trigger(trigger), authKey).mapEmpty();
  }

  private Future<HttpResponse<Buffer>> sendUnlessFailed(HttpMethod method, String url, String authKey) {
    return send(method, url, authKey)
        .compose(r -> r.statusCode() / 100 == 2 || r.statusCode() == 404 ? Future.succeededFuture(r)
            : Future.failedFuture(method + " " + URI.create(url).getRawPath() + " answered " + r.statusCode()));
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String url, String authKey) {
    return web.requestAbs(method, url)
        .putHeader("Authorization", BasicAuth.header(authKey))
        .timeout(CALL_TIMEOUT.toMillis())
        .send();
  }
}
