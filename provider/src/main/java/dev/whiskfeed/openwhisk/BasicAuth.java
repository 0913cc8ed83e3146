package dev.whiskfeed.openwhisk;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** HTTP Basic credentials carrying an OpenWhisk authKey ({@code uuid:key}). */
public final class BasicAuth {
  private BasicAuth() {}

  public static String header(String authKey) {
    return "Basic " + Base64.getEncoder().encodeToString(authKey.getBytes(StandardCharsets.UTF_8));
  }

  /** The authKey of an {@code Authorization: Basic …} header, if it is one with a {@code user:password} pair. */
  public static Optional<String> authKey(String header) {
    if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon <= 0 || colon == decoded.length() - 1 ? Optional.empty() : Optional.of(decoded);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
