package dev.whiskfeed.actions;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.Map;

/**
 * What every feed action does: validate the lifecycle arguments, make the matching call to
 * the provider and turn its answer into the action's result. It never throws: any failure
 * becomes {@code {"error": "…"}}, and no result contains the authKey.
 *
 * <p>The Gson on the class path is the runtime's: the oldest a supported OpenWhisk Java image
 * ships is {@value #OLDEST_GSON} ({@code openwhisk/java8action} up to 1.17.0), so only Gson API
 * of that version is used (the module compiles against it). On an older Gson a missing method
 * becomes an {@code {"error"}} result, not a {@link NoSuchMethodError}.
 */
final class FeedAction {
  static final int ERROR_BODY_PREFIX = 200;
  static final String OLDEST_GSON = "2.6.2";

  private final FeedKind kind;
  private final ParameterCheck check;
  private final ProviderClient provider;

  FeedAction(FeedKind kind, ParameterCheck check, ProviderClient provider) {
    this.kind = kind;
    this.check = check;
    this.provider = provider;
  }

  FeedAction(FeedKind kind, ProviderClient provider) {
    this(kind, ParameterCheck.NONE, provider);
  }

  static FeedAction of(FeedKind kind) {
    return of(kind, ParameterCheck.NONE);
  }

  /** An alarm action: kind {@code alarm}, kept to its schedule's parameters. */
  static FeedAction of(AlarmSchedule schedule) {
    return of(FeedKind.ALARM, schedule);
  }

  private static FeedAction of(FeedKind kind, ParameterCheck check) {
    return new FeedAction(kind, check,
        new ProviderClient(ProviderClient.CONNECT_TIMEOUT, ProviderClient.REQUEST_TIMEOUT));
  }

  /** Runs one activation; {@code env} supplies {@code __OW_NAMESPACE} to resolve {@code _}. */
  JsonObject run(JsonObject args, Map<String, String> env) {
    try {
      SecretMask mask = new SecretMask(FeedRequest.rawAuthKey(args));
      try {
        return mask.apply(call(args, env));
      } catch (FeedActionException e) {
        return mask.apply(error(e.getMessage()));
      } catch (RuntimeException e) {
        return mask.apply(error("feed action failed unexpectedly: " + e));
      }
    } catch (LinkageError e) {
      // A class or method of the runtime's Gson is missing: it is older than the one we need.
      return error("the feed action needs Gson " + OLDEST_GSON + " or newer on the runtime's"
          + " class path: " + e);
    }
  }

  private JsonObject call(JsonObject args, Map<String, String> env) throws FeedActionException {
    if (args == null) {
      throw new FeedActionException("no parameters: expected providerUrl, lifecycleEvent,"
          + " triggerName and authKey");
    }
    FeedRequest request = FeedRequest.from(args, env);
    check.check(request.event(), request.userParams());
    return interpret(provider.send(request, body(request)));
  }

  private String body(FeedRequest request) {
    switch (request.event()) {
      case CREATE:
        return createBody(request.userParams()).toString();
      case UPDATE:
        return request.userParams().toString();
      case READ:
      case DELETE:
      case PAUSE:
      case UNPAUSE:
        return null;
      default:
        throw new IllegalStateException("no request body defined for " + request.event());
    }
  }

  /** The action's kind wins over a user parameter of that name. */
  private JsonObject createBody(JsonObject userParams) {
    JsonObject body = new JsonObject();
    body.addProperty("kind", kind.wireName());
    for (Map.Entry<String, JsonElement> entry : userParams.entrySet()) {
      if (!entry.getKey().equals("kind")) {
        body.add(entry.getKey(), entry.getValue());
      }
    }
    return body;
  }

  static JsonObject interpret(ProviderAnswer answer) throws FeedActionException {
    JsonElement body = parse(answer.body());
    if (answer.isSuccess()) {
      if (Text.isBlank(answer.body())) {
        return new JsonObject();
      }
      if (body != null && body.isJsonObject()) {
        return body.getAsJsonObject();
      }
      throw new FeedActionException("provider answered " + answer.status()
          + " with a body that is not a JSON object: " + prefix(answer.body()));
    }
    if (body != null && body.isJsonObject() && body.getAsJsonObject().has("error")) {
      return body.getAsJsonObject();
    }
    throw new FeedActionException(
        "provider answered " + answer.status() + ": " + prefix(answer.body()));
  }

  private static JsonElement parse(String text) {
    try {
      return new JsonParser().parse(text); // JsonParser.parseString is Gson 2.8.6+
    } catch (JsonParseException e) {
      return null;
    }
  }

  private static String prefix(String body) {
    if (Text.isBlank(body)) {
      return "(empty body)";
    }
    return body.length() <= ERROR_BODY_PREFIX ? body : body.substring(0, ERROR_BODY_PREFIX);
  }

  private static JsonObject error(String message) {
    JsonObject error = new JsonObject();
    error.addProperty("error", message);
    return error;
  }
}
