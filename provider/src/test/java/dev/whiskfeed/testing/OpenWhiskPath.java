package dev.whiskfeed.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** {@code /api/v1/namespaces/{namespace}/{collection}/{name}}, each part null when absent. */
record OpenWhiskPath(String namespace, String collection, String name) {

  static OpenWhiskPath parse(String path) {
    String[] parts = path.split("/");
    // "", "api", "v1", "namespaces", ns, collection, name
    if (parts.length < 5 || !parts[1].equals("api") || !parts[2].equals("v1") || !parts[3].equals("namespaces")) {
      return new OpenWhiskPath(null, null, null);
    }
    return new OpenWhiskPath(decode(parts[4]), parts.length > 5 ? parts[5] : null,
        parts.length == 7 ? decode(parts[6]) : null);
  }

  boolean isTrigger() {
    return "triggers".equals(collection) && name != null;
  }

  boolean isRule() {
    return "rules".equals(collection) && name != null;
  }

  private static String decode(String part) {
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
