package dev.whiskfeed.testing;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One request that reached {@link StandInOpenWhisk}, as it was when the snapshot was taken.
 *
 * @param namespace the {ns} of {@code /api/v1/namespaces/{ns}/…}, or null
 * @param trigger the trigger name for {@code …/triggers/{name}}, else null
 * @param headers header names lower-cased; repeated headers joined with ", "
 * @param authKey the decoded Basic credentials ({@code uuid:key}), or null
 * @param answeredAt when the answer was written or the connection dropped; null while unanswered
 * @param status the status answered, {@link #UNANSWERED} or {@link #DROPPED}
 * @param activationId the activation id handed out (2xx fires), else null
 */
public record Recorded(
    String method,
    String path,
    String namespace,
    String trigger,
    Map<String, String> headers,
    String authorization,
    String authKey,
    String body,
    Instant receivedAt,
    Instant answeredAt,
    int status,
    String activationId) {

  public static final int UNANSWERED = 0;
  public static final int DROPPED = -1;

  /** The body as JSON; null for an empty body. */
  public JsonObject json() {
    return body == null || body.isBlank() ? null : new JsonObject(body);
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** A POST to a trigger. */
  public boolean isFire() {
    return "POST".equals(method) && trigger != null;
  }

  public boolean answered() {
    return status > 0;
  }
}
