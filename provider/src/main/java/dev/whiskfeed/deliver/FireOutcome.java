package dev.whiskfeed.deliver;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * What one fire of a trigger came to: the pure classifier of OpenWhisk's answer (API.md, "Outcome
 * of one fire"). A 2xx is delivered; 408, 409, 429 and 5xx, timeouts and connection errors are
 * retried; every other answer means the trigger is gone or not ours to fire, so the feed is
 * disabled and its events wait.
 */
public sealed interface FireOutcome {

  String DISABLED_PREFIX = "Trigger automatically disabled: ";

  /** OpenWhisk accepted the fire; {@code activationId} is null when none was given (204). */
  record Delivered(int statusCode, String activationId) implements FireOutcome {}

  /** A permanent refusal; {@code message} starts with {@value #DISABLED_PREFIX}. */
  record Disable(int statusCode, String message) implements FireOutcome {}

  /**
   * A transient failure. {@code statusCode} is null for a timeout or connection error;
   * {@code retryAfter} is null when the answer carried no usable {@code Retry-After}.
   */
  record Retry(Integer statusCode, Duration retryAfter, String error) implements FireOutcome {
    public boolean throttled() {
      return statusCode != null && statusCode == 429;
    }
  }

  /**
   * Classifies one HTTP answer.
   *
   * @param retryAfterHeader the {@code Retry-After} header, or null
   * @param activationIdHeader the {@code x-openwhisk-activation-id} header, or null
   * @param body the response body, or null
   * @param now when the answer arrived, to resolve a {@code Retry-After} HTTP date
   */
  static FireOutcome classify(
      int status, String retryAfterHeader, String activationIdHeader, String body, Instant now) {
    JsonObject json = jsonBody(body);
    if (status >= 200 && status < 300) {
      String id = text(json, "activationId");
      return new Delivered(status, id != null ? id : blankToNull(activationIdHeader));
    }
    String error = shorten(text(json, "error"));
    String answered = "OpenWhisk answered " + status + (error == null ? "" : " (" + error + ")");
    if (isRetriable(status)) {
      return new Retry(status, retryAfter(retryAfterHeader, now), answered);
    }
    return new Disable(status, DISABLED_PREFIX + answered);
  }

  /** Classifies a fire that got no answer at all: always retried. */
  static FireOutcome failure(Throwable error) {
    return new Retry(null, null, describe(error));
  }

  private static boolean isRetriable(int status) {
    return status == 408 || status == 409 || status == 429 || (status >= 500 && status < 600);
  }

  private static JsonObject jsonBody(String body) {
    if (body == null || body.isBlank()) return null;
    try {
      return new JsonObject(body);
    } catch (RuntimeException notAnObject) { // DecodeException, or valid JSON that is not an object
      return null;
    }
  }

  private static String text(JsonObject json, String field) {
    if (json == null) return null;
    Object value = json.getValue(field);
    return value instanceof String ? blankToNull((String) value) : null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** {@code Retry-After} as delay-seconds or an HTTP date (RFC 1123); null when unusable. */
  private static Duration retryAfter(String header, Instant now) {
    String value = blankToNull(header);
    if (value == null) return null;
    if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Duration.ofSeconds(Long.parseLong(value));
      } catch (NumberFormatException | ArithmeticException tooLarge) {
        return null;
      }
    }
    try {
      Duration d = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
      return d.isNegative() ? null : d;
    } catch (DateTimeParseException notADate) {
      return null;
    }
  }

  /** A short, log-safe description: the kind of failure plus the first cause's message. */
  private static String describe(Throwable error) {
    String kind = "connection error";
    String message = null;
    Throwable t = error;
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) { // bounded: causes may cycle
      if (isTimeout(t)) kind = "timeout";
      if (message == null) message = blankToNull(t.getMessage());
    }
    return shorten(message == null ? kind : kind + ": " + message);
  }

  /** Errors end up in logs and in the READ body: keep them short. */
  private static String shorten(String text) {
    return text == null || text.length() <= 200 ? text : text.substring(0, 199) + "…";
  }

  private static boolean isTimeout(Throwable t) {
    // Vert.x and Netty have their own timeout types; not all extend TimeoutException.
    return t instanceof TimeoutException
        || t instanceof java.net.SocketTimeoutException
        || t.getClass().getSimpleName().toLowerCase(Locale.ROOT).contains("timeout");
  }
}
