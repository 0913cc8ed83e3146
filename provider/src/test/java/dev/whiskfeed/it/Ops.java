package dev.whiskfeed.it;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Test helpers for the operations surface: Bearer-authenticated admin calls and Prometheus text. */
final class Ops {
  private Ops() {}

  static Api.Response get(int port, String path, String bearer) {
    return send(port, "GET", path, bearer, null);
  }

  static Api.Response post(int port, String path, String bearer, JsonObject body) {
    return send(port, "POST", path, bearer, body);
  }

  static Api.Response send(int port, String method, String path, String bearer, JsonObject body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8));
    if (body != null) b.header("Content-Type", "application/json");
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return Api.send(b.build());
  }

  /**
   * The sum of the samples of {@code name} whose labels include {@code labels} ({@code k1, v1, k2,
   * v2…}), or -1 when there is none.
   */
  static double metric(String text, String name, String... labels) {
    Map<String, String> want = new HashMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) want.put(labels[i], labels[i + 1]);
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) continue;
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String sample = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
      if (!sample.equals(name)) continue;
      Map<String, String> have = brace >= 0 && brace < space ? labels(line.substring(brace + 1, line.lastIndexOf('}')))
          : Map.of();
      if (!have.entrySet().containsAll(want.entrySet())) continue;
      sum += Double.parseDouble(line.substring(space + 1));
      found = true;
    }
    return found ? sum : -1;
  }

  private static Map<String, String> labels(String inside) {
    Map<String, String> out = new HashMap<>();
    for (String pair : inside.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) continue;
      out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim().replaceAll("^\"|\"$", ""));
    }
    return out;
  }
}
