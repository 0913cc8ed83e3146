package dev.whiskfeed.feed;

import io.vertx.core.json.JsonObject;

/** Why a feed is not active: who decided ({@code AUTO}, {@code USER}, {@code ADMIN}), the status that caused it, a message. */
public record Reason(Kind kind, Integer statusCode, String message) {
  public enum Kind { AUTO, USER, ADMIN }

  public static Reason auto(Integer statusCode, String message) {
    return new Reason(Kind.AUTO, statusCode, message);
  }

  public static Reason user(String message) {
    return new Reason(Kind.USER, null, message);
  }

  public static Reason admin(String message) {
    return new Reason(Kind.ADMIN, null, message);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("kind", kind.name());
    if (statusCode != null) json.put("statusCode", statusCode);
    return json.put("message", message);
  }

  public static Reason fromJson(JsonObject json) {
    if (json == null) return null;
    return new Reason(Kind.valueOf(json.getString("kind")), json.getInteger("statusCode"), json.getString("message"));
  }
}
