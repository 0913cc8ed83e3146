package dev.whiskfeed.hooks;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The request headers an event keeps: content type, user agent, the sender's {@code X-*} event
 * headers ({@code X-GitHub-Event}, {@code X-GitHub-Delivery}, {@code X-Hub-Signature-256}, …) and
 * the signature headers of common senders ({@code Stripe-Signature}, Standard Webhooks'
 * {@code webhook-*}). Never credentials: {@code Authorization}, {@code Cookie}, and no {@code X-*}
 * header whose name says it carries one ({@code X-Gitlab-Token}, {@code X-Api-Key}, …). Names are
 * lower-cased; a repeated header's values are joined with {@code ", "}.
 */
public final class HookHeaders {
  private static final Set<String> KEPT = Set.of("content-type", "user-agent", "stripe-signature", "webhook-id",
      "webhook-timestamp", "webhook-signature");
  private static final Pattern CREDENTIAL =
      Pattern.compile(".*(token|auth|api-?key|password|passwd|secret|cookie|session|csrf).*");

  private HookHeaders() {}

  public static JsonObject kept(MultiMap headers) {
    JsonObject out = new JsonObject();
    headers.forEach(entry -> {
      String name = entry.getKey().toLowerCase(Locale.ROOT);
      if (!keeps(name)) return;
      String previous = out.getString(name);
      out.put(name, previous == null ? entry.getValue() : previous + ", " + entry.getValue());
    });
    return out;
  }

  /** {@code name} is lower case. */
  static boolean keeps(String name) {
    if (KEPT.contains(name)) return true;
    return name.startsWith("x-") && !CREDENTIAL.matcher(name).matches();
  }
}
