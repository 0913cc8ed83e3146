package dev.whiskfeed.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the control database keeps to find a hook by its token: the hex SHA-256 of the token, never
 * the token (a bearer credential). A token is 24 random bytes, so a plain hash cannot be reversed
 * by guessing; a sealed copy beside it lets READ show the hook URL.
 */
public final class HookTokenHash {
  private HookTokenHash() {}

  public static String of(String token) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JVM", e);
    }
  }
}
