package dev.whiskfeed.openwhisk;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The URLs of OpenWhisk's REST API under one base ({@code WHISKFEED_OPENWHISK_URL}, trailing slashes
 * dropped). Namespaces and names are encoded as path segments: a space is {@code %20}, never
 * {@code +}, which a path would read as a plus sign.
 */
final class ApiUrls {
  private final String base;

  ApiUrls(URI openwhisk) {
    this.base = openwhisk.toString().replaceAll("/+$", "");
  }

  String trigger(QualifiedName trigger) {
    return entity(trigger, "triggers");
  }

  String rule(QualifiedName rule) {
    return entity(rule, "rules");
  }

  private String entity(QualifiedName entity, String collection) {
    return base + "/api/v1/namespaces/" + segment(entity.namespace()) + "/" + collection + "/" + segment(entity.name());
  }

  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
