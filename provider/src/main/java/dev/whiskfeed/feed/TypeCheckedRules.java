package dev.whiskfeed.feed;

import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * The rules of a kind whose own validation has not been written yet: its parameter names (API.md)
 * and their JSON types only. Kind packages replace it with real rules.
 */
public final class TypeCheckedRules implements KindRules {
  public enum Type { STRING, INTEGER, BOOLEAN, STRING_OR_ARRAY, ANY }

  private final FeedKind kind;
  private final Map<String, Type> types;

  public TypeCheckedRules(FeedKind kind, Map<String, Type> types) {
    this.kind = kind;
    this.types = Map.copyOf(types);
  }

  @Override
  public FeedKind kind() {
    return kind;
  }

  @Override
  public Set<String> parameters() {
    return types.keySet();
  }

  @Override
  public Future<Validated> validate(ValidationInput input) {
    JsonObject config = new JsonObject();
    input.params().forEach(e -> {
      check(e.getKey(), e.getValue());
      config.put(e.getKey(), e.getValue());
    });
    return Future.succeededFuture(new Validated(config, input.secrets(), input.previous() == null ? null
        : input.previous().hookToken()));
  }

  private void check(String name, Object value) {
    Type type = types.get(name);
    boolean ok = value == null || switch (type) {
      case STRING -> value instanceof String;
      case INTEGER -> value instanceof Integer || value instanceof Long;
      case BOOLEAN -> value instanceof Boolean;
      case STRING_OR_ARRAY -> value instanceof String || value instanceof io.vertx.core.json.JsonArray;
      case ANY -> true;
    };
    if (!ok) throw WhiskfeedException.invalid("the " + name + " parameter must be " + type.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
  }
}
