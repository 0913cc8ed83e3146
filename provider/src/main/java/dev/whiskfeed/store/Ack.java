package dev.whiskfeed.store;

import java.util.UUID;

/**
 * What happened to one leased event, written back in one batched statement: its new state, whether
 * the attempt counts, when it may be tried again, and what OpenWhisk answered.
 */
public record Ack(UUID id, String state, boolean attempted, boolean throttled, long delayMs, Integer statusCode,
                  String error, String activationId) {

  public static Ack delivered(UUID id, int status, String activationId) {
    return new Ack(id, "delivered", true, false, 0, status, null, activationId);
  }

  public static Ack retry(UUID id, long delayMs, Integer status, boolean throttled, String error) {
    return new Ack(id, "pending", true, throttled, delayMs, status, error, null);
  }

  public static Ack dead(UUID id, Integer status, String error) {
    return new Ack(id, "dead", true, false, 0, status, error, null);
  }

  /** Kept pending after an attempt that disabled the feed: it waits for the owner to fix the cause. */
  public static Ack held(UUID id, Integer status, String error) {
    return new Ack(id, "pending", true, false, 0, status, error, null);
  }

  /** Handed back untouched (feed paused or gone, engine stopping): no attempt is counted. */
  public static Ack release(UUID id) {
    return new Ack(id, "pending", false, false, 0, null, null, null);
  }
}
