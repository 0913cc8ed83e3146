package dev.whiskfeed.testing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link StandInOpenWhisk} answers one trigger fire. A 2xx other than 204 carries an activation id (body and
 * {@code x-openwhisk-activation-id} header), an error status carries OpenWhisk's error JSON, unless
 * {@link #withBody} says otherwise.
 */
public record Reply(Kind kind, int status, Map<String, String> headers, String body, Duration delay) {

  public enum Kind {
    /** An HTTP answer, after {@code delay}. */
    ANSWER,
    /** The connection is closed without an answer. */
    DROP,
    /** No answer, ever: the client has to give up. */
    TIMEOUT
  }

  public Reply {
    headers = Map.copyOf(headers);
    delay = delay == null ? Duration.ZERO : delay;
  }

  public static Reply status(int status) {
    return new Reply(Kind.ANSWER, status, Map.of(), null, Duration.ZERO);
  }

  /** What OpenWhisk answers to a fire of a trigger with an active rule: 202 and an activation id. */
  public static Reply accepted() {
    return status(202);
  }

  /** 204, no body: OpenWhisk's answer when no rule of the trigger is active. */
  public static Reply noActiveRule() {
    return status(204);
  }

  /** 202, after {@code delay} (a timer, never a blocked thread). */
  public static Reply slow(Duration delay) {
    return accepted().after(delay);
  }

  public static Reply drop() {
    return new Reply(Kind.DROP, 0, Map.of(), null, Duration.ZERO);
  }

  public static Reply timeout() {
    return new Reply(Kind.TIMEOUT, 0, Map.of(), null, Duration.ZERO);
  }

  public Reply withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new Reply(kind, status, more, body, delay);
  }

  public Reply withBody(String json) {
    return new Reply(kind, status, headers, json, delay);
  }

  public Reply after(Duration wait) {
    return new Reply(kind, status, headers, body, wait);
  }
}
