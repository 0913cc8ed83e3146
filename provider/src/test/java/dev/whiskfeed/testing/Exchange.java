package dev.whiskfeed.testing;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A request in the stand-in's log: what came in is fixed, the answer is filled in when it goes out. */
final class Exchange {

  final String method;
  final String path;
  final OpenWhiskPath target;
  final Map<String, String> headers;
  final String authKey;
  final String body;
  final Instant receivedAt;
  private volatile Instant answeredAt;
  private volatile int status = Recorded.UNANSWERED;
  private volatile String activationId;

  Exchange(HttpServerRequest request, String body, Instant receivedAt) {
    this.method = request.method().name();
    this.path = request.path();
    this.target = OpenWhiskPath.parse(path);
    this.headers = lowerCased(request);
    this.authKey = basicCredentials(headers.get("authorization"));
    this.body = body;
    this.receivedAt = receivedAt;
  }

  boolean isFire() {
    return "POST".equals(method) && target.isTrigger();
  }

  void answered(int answeredStatus, String activation) {
    activationId = activation;
    status = answeredStatus;
    answeredAt = Instant.now();
  }

  void dropped() {
    answered(Recorded.DROPPED, null);
  }

  Recorded snapshot() {
    Instant at = answeredAt;
    int answeredStatus = status;
    return new Recorded(method, path, target.namespace(), target.isTrigger() ? target.name() : null, headers,
        headers.get("authorization"), authKey, body, receivedAt, at, answeredStatus, activationId);
  }

  private static Map<String, String> lowerCased(HttpServerRequest request) {
    Map<String, String> headers = new LinkedHashMap<>();
    request.headers().forEach(entry -> headers.merge(entry.getKey().toLowerCase(Locale.ROOT), entry.getValue(),
        (first, next) -> first + ", " + next));
    return Map.copyOf(headers);
  }

  private static String basicCredentials(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
