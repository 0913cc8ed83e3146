package dev.whiskfeed.actions;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Replaces the authKey in a result. Our own messages never contain it; this guards the
 * provider's bodies, which are passed through, should one ever echo a credential.
 */
final class SecretMask {
  static final String MASK = "***";
  /** Shorter secret halves are not masked alone: they would mangle ordinary words. */
  private static final int MIN_MASKED_LENGTH = 8;

  private final List<String> secrets;

  SecretMask(String authKey) {
    List<String> found = new ArrayList<>();
    if (authKey != null && !authKey.isEmpty()) {
      found.add(authKey);
      found.add(Base64.getEncoder().encodeToString(authKey.getBytes(StandardCharsets.UTF_8)));
      int colon = authKey.indexOf(':');
      String key = colon < 0 ? "" : authKey.substring(colon + 1);
      if (key.length() >= MIN_MASKED_LENGTH) {
        found.add(key);
      }
    }
    this.secrets = Collections.unmodifiableList(found);
  }

  JsonObject apply(JsonObject result) {
    return secrets.isEmpty() ? result : apply((JsonElement) result).getAsJsonObject();
  }

  private JsonElement apply(JsonElement element) {
    if (element.isJsonObject()) {
      JsonObject masked = new JsonObject();
      for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
        masked.add(mask(entry.getKey()), apply(entry.getValue()));
      }
      return masked;
    }
    if (element.isJsonArray()) {
      JsonArray masked = new JsonArray();
      for (JsonElement item : element.getAsJsonArray()) {
        masked.add(apply(item));
      }
      return masked;
    }
    if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isString()) {
      return new JsonPrimitive(mask(element.getAsString()));
    }
    return element;
  }

  private String mask(String text) {
    String masked = text;
    for (String secret : secrets) {
      masked = masked.replace(secret, MASK);
    }
    return masked;
  }
}
