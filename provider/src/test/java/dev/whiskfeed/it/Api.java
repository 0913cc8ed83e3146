package dev.whiskfeed.it;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A small blocking HTTP client for tests: the provider's REST API as a feed action or curl would call it. */
public final class Api {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Response(int status, String body, java.net.http.HttpHeaders headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String error() {
      return json().getString("error");
    }

    public String code() {
      return json().getString("code");
    }
  }

  private final String base;
  private final String authKey;

  public Api(int port, String authKey) {
    this("http://127.0.0.1:" + port, authKey);
  }

  public Api(String base, String authKey) {
    this.base = base;
    this.authKey = authKey;
  }

  public Api as(String otherKey) {
    return new Api(base, otherKey);
  }

  public Response create(String ns, String trigger, JsonObject body) {
    return send("POST", feed(ns, trigger), body.encode());
  }

  public Response read(String ns, String trigger) {
    return send("GET", feed(ns, trigger), null);
  }

  public Response update(String ns, String trigger, JsonObject body) {
    return send("PUT", feed(ns, trigger), body.encode());
  }

  public Response delete(String ns, String trigger) {
    return send("DELETE", feed(ns, trigger), null);
  }

  public Response pause(String ns, String trigger) {
    return send("POST", feed(ns, trigger) + "/pause", null);
  }

  public Response unpause(String ns, String trigger) {
    return send("POST", feed(ns, trigger) + "/unpause", null);
  }

  /** {@code POST …/backfill}; {@code body} null sends none. */
  public Response backfill(String ns, String trigger, JsonObject body) {
    return send("POST", feed(ns, trigger) + "/backfill", body == null ? null : body.encode());
  }

  public Response event(String ns, String trigger, JsonObject data) {
    return send("POST", feed(ns, trigger) + "/events", data.encode());
  }

  public Response events(String ns, String trigger, String query) {
    return send("GET", feed(ns, trigger) + "/events" + (query == null ? "" : "?" + query), null);
  }

  public Response redeliver(String ns, String trigger, String eventId) {
    return send("POST", feed(ns, trigger) + "/events/" + eventId + "/redeliver", null);
  }

  public static String feed(String ns, String trigger) {
    return "/api/v1/feeds/" + ns + "/" + trigger;
  }

  public Response send(String method, String path, String body) {
    return send(method, path, body, "application/json");
  }

  public Response send(String method, String path, String body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null && contentType != null) b.header("Content-Type", contentType);
    if (authKey != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(authKey.getBytes(StandardCharsets.UTF_8)));
    }
    return send(b.build());
  }

  public Response sendBytes(String method, String path, byte[] body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    if (authKey != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(authKey.getBytes(StandardCharsets.UTF_8)));
    }
    return send(b.build());
  }

  public static Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
