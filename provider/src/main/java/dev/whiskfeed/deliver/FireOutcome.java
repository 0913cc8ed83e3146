package dev.whiskfeed.deliver;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeoutException;

/** The pure classification of one fire's answer (API.md "Outcome of one fire"). */
public sealed interface FireOutcome {
  record Delivered(int statusCode, String activationId) implements FireOutcome {}

  record Disable(int statusCode, String message) implements FireOutcome {}

  /** {@code statusCode} null for a network failure or timeout; {@code retryAfter} null when none was given. */
  record Retry(Integer statusCode, Duration retryAfter, String error) implements FireOutcome {
    public boolean throttled() {
      return statusCode != null && statusCode == 429;
    }
  }

  static FireOutcome classify(int status, String retryAfterHeader, String activationIdHeader, String body, Instant now) {
    if (status >= 200 && status < 300) return new Delivered(status, activationId(body, activationIdHeader));
    if (status == 408 || status == 409 || status == 429 || status >= 500) {
      return new Retry(status, retryAfter(retryAfterHeader, now), "OpenWhisk answered " + status + detail(body));
    }
    return new Disable(status, "Trigger automatically disabled: OpenWhisk answered " + status + detail(body));
  }

  static FireOutcome failure(Throwable error) {
    String what = error instanceof TimeoutException || String.valueOf(error.getMessage()).contains("timeout")
        ? "timed out" : "connection failed";
    return new Retry(null, null, what + ": " + error.getClass().getSimpleName() + " " + error.getMessage());
  }

  private static String activationId(String body, String header) {
    JsonObject json = json(body);
    if (json != null && json.getValue("activationId") instanceof String id) return id;
    return header == null || header.isBlank() ? null : header;
  }

  private static String detail(String body) {
    JsonObject json = json(body);
    if (json != null && json.getValue("error") instanceof String e) return " (" + e + ")";
    return "";
  }

  private static JsonObject json(String body) {
    if (body == null || body.isBlank() || body.charAt(0) != '{') return null;
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Seconds, or an HTTP date relative to {@code now}; anything else is ignored. */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) return null;
    String h = header.trim();
    try {
      if (h.matches("\\d{1,9}")) return Duration.ofSeconds(Long.parseLong(h));
      Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
