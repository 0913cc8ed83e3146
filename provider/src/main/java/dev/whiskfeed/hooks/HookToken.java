package dev.whiskfeed.hooks;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The secret part of a hook URL: 192 bits from a CSPRNG, URL-safe base64 without padding (32
 * characters of {@code A-Z a-z 0-9 - _}). Whoever knows it may post events to the feed.
 */
public final class HookToken {
  static final int BYTES = 24;
  // anything shorter than 128 bits, or not URL-safe base64, cannot be a hook and is refused without a lookup
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{22,128}");

  private HookToken() {}

  public static String generate(SecureRandom random) {
    byte[] bytes = new byte[BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static boolean wellFormed(String token) {
    return token != null && FORM.matcher(token).matches();
  }
}
