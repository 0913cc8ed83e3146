package dev.whiskfeed.testing;

import dev.whiskfeed.testing.TriggerScripts.TriggerId;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Decides the stand-in's answer to a request (auth, then path and method) and writes it. */
final class StandInAnswers {

  private final AuthKeys keys;
  private final TriggerScripts scripts;
  private final FireLimits limits;

  StandInAnswers(AuthKeys keys, TriggerScripts scripts, FireLimits limits) {
    this.keys = keys;
    this.scripts = scripts;
    this.limits = limits;
  }

  Reply answer(Exchange exchange) {
    OpenWhiskPath target = exchange.target;
    if (target.namespace() == null) {
      return error(404, "The requested resource does not exist.");
    }
    int auth = keys.check(target.namespace(), exchange.authKey);
    if (auth == 401) {
      return exchange.authKey == null
          ? error(401, "The resource requires authentication, which was not supplied with the request.")
          : error(401, "The supplied authentication is invalid.");
    }
    if (auth == 403) {
      return error(403, "The supplied authentication is not authorized to access '" + target.namespace() + "'.");
    }
    if (target.isTrigger()) {
      return trigger(exchange, new TriggerId(target.namespace(), target.name()));
    }
    if (target.isRule()) {
      return rule(exchange.method, target);
    }
    return error(404, "The requested resource does not exist.");
  }

  void send(HttpServerRequest request, Exchange exchange, Reply reply) {
    switch (reply.kind()) {
      case DROP:
        exchange.dropped();
        request.connection().close();
        return;
      case TIMEOUT:
        return;
      default:
        write(request.response(), exchange, reply);
    }
  }

  private Reply trigger(Exchange exchange, TriggerId id) {
    String method = exchange.method;
    if (!method.equals("PUT") && scripts.isMissing(id)) {
      return error(404, "The requested resource does not exist.");
    }
    switch (method) {
      case "GET":
        return json(200, triggerBody(id));
      case "PUT":
        scripts.setMissing(id, false);
        return json(200, triggerBody(id));
      case "DELETE":
        JsonObject deleted = triggerBody(id);
        scripts.setMissing(id, true);
        return json(200, deleted);
      case "POST":
        Long retryAfter = limits.admit(id.namespace(), exchange.receivedAt);
        if (retryAfter != null) {
          return error(429, "Too many requests in the last minute.").withHeader("Retry-After", retryAfter.toString());
        }
        return scripts.nextFire(id);
      default:
        return error(405, "The requested method is not allowed.");
    }
  }

  private Reply rule(String method, OpenWhiskPath target) {
    JsonObject rule = new JsonObject().put("namespace", target.namespace()).put("name", target.name())
        .put("status", "active");
    if (method.equals("DELETE")) {
      scripts.removeRule(target.namespace(), target.name());
      return json(200, rule);
    }
    return method.equals("GET") ? json(200, rule) : error(405, "The requested method is not allowed.");
  }

  private JsonObject triggerBody(TriggerId id) {
    JsonObject body = new JsonObject().put("namespace", id.namespace()).put("name", id.name())
        .put("version", "0.0.1").put("publish", false);
    JsonObject rules = new JsonObject();
    for (String rule : scripts.rules(id)) {
      rules.put(rule, new JsonObject().put("status", "active")
          .put("action", new JsonObject().put("name", "a").put("path", id.namespace())));
    }
    return rules.isEmpty() ? body : body.put("rules", rules);
  }

  private static void write(HttpServerResponse response, Exchange exchange, Reply reply) {
    if (response.closed()) {
      return; // the client gave up first
    }
    int status = reply.status();
    String body = reply.body();
    String activationId = null;
    if (exchange.isFire() && status >= 200 && status < 300 && status != 204 && body == null) {
      activationId = UUID.randomUUID().toString().replace("-", "");
      response.putHeader("x-openwhisk-activation-id", activationId);
      body = new JsonObject().put("activationId", activationId).encode();
    } else if (status >= 400 && body == null) {
      body = errorBody(messageFor(status));
    }
    reply.headers().forEach(response::putHeader);
    exchange.answered(status, activationId);
    response.setStatusCode(status);
    if (status == 204 || body == null) {
      response.end();
    } else {
      response.putHeader("content-type", "application/json").end(body);
    }
  }

  private static String messageFor(int status) {
    switch (status) {
      case 401:
        return "The supplied authentication is invalid.";
      case 403:
        return "The supplied authentication is not authorized to access this resource.";
      case 404:
        return "The requested resource does not exist.";
      case 429:
        return "Too many requests in the last minute (count: 61, allowed: 60).";
      default:
        return status >= 500 ? "The server encountered an unexpected condition." : "Request failed (" + status + ").";
    }
  }

  private static Reply json(int status, JsonObject body) {
    return Reply.status(status).withBody(body.encode());
  }

  private static Reply error(int status, String message) {
    return Reply.status(status).withBody(errorBody(message));
  }

  private static String errorBody(String message) {
    return new JsonObject().put("error", message)
        .put("code", UUID.randomUUID().toString().replace("-", "")).encode();
  }
}
