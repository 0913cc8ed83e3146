package dev.whiskfeed.hooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * GitHub's webhook signature: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>}.
 * The check compares the digests in constant time and says nothing about where they differ.
 */
public final class HookSignature {
  public static final String HEADER = "X-Hub-Signature-256";
  private static final String PREFIX = "sha256=";
  private static final int DIGEST_BYTES = 32;

  public enum Check { VALID, MISSING, WRONG }

  private HookSignature() {}

  /** The header value a sender computes for {@code body}. */
  public static String sign(String secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
  }

  public static Check check(String secret, byte[] body, String header) {
    if (header == null || header.isBlank()) return Check.MISSING;
    String value = header.strip();
    if (!value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) return Check.WRONG;
    String hex = value.substring(PREFIX.length());
    if (hex.length() != DIGEST_BYTES * 2) return Check.WRONG;
    byte[] presented;
    try {
      presented = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return Check.WRONG;
    }
    return MessageDigest.isEqual(hmac(secret, body), presented) ? Check.VALID : Check.WRONG;
  }

  private static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
