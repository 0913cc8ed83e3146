package dev.whiskfeed.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals stored secrets (authKeys, hook secrets, database URLs) with AES-256-GCM under the master
 * key. A sealed value is {@code v1:} + base64(12-byte nonce + ciphertext + tag); without the master
 * key it is unreadable, and a tampered value fails to open. During a key rotation the box also
 * opens values sealed under the previous key (GCM's tag tells which key fits); it always seals
 * under the current one.
 */
public final class SecretBox {
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final byte[] AAD = "whiskfeed".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec key;
  private final SecretKeySpec previous;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(byte[] masterKey) {
    this(masterKey, null);
  }

  /** @param previousKey the master key being rotated away from, or null */
  public SecretBox(byte[] masterKey, byte[] previousKey) {
    this.key = aes(masterKey);
    this.previous = previousKey == null ? null : aes(previousKey);
  }

  private static SecretKeySpec aes(byte[] masterKey) {
    if (masterKey.length != 32) throw new IllegalArgumentException("master key must be 32 bytes");
    return new SecretKeySpec(masterKey.clone(), "AES");
  }

  /**
   * {@code sealed} as it should be stored now: unchanged when the current master key seals it,
   * else opened with the previous key and sealed again under the current one. Throws when no
   * configured key opens it.
   */
  public String underCurrentKey(String sealed) {
    try {
      open(sealed, key);
      return sealed;
    } catch (IllegalStateException e) {
      if (previous == null) throw e;
      return seal(open(sealed, previous));
    }
  }

  public String seal(String plain) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = crypt(Cipher.ENCRYPT_MODE, key, nonce, plain.getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[NONCE_BYTES + sealed.length];
    System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
    System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
    return PREFIX + Base64.getEncoder().encodeToString(out);
  }

  public String open(String sealed) {
    if (previous == null) return open(sealed, key);
    try {
      return open(sealed, key);
    } catch (IllegalStateException e) {
      return open(sealed, previous);
    }
  }

  private String open(String sealed, SecretKeySpec with) {
    if (!sealed.startsWith(PREFIX)) throw new IllegalStateException("not a sealed value");
    byte[] in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
    byte[] nonce = java.util.Arrays.copyOfRange(in, 0, NONCE_BYTES);
    byte[] body = java.util.Arrays.copyOfRange(in, NONCE_BYTES, in.length);
    return new String(crypt(Cipher.DECRYPT_MODE, with, nonce, body), StandardCharsets.UTF_8);
  }

  /** Constant-time comparison of two secrets. */
  public static boolean same(String a, String b) {
    if (a == null || b == null) return false;
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] crypt(int mode, SecretKeySpec with, byte[] nonce, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, with, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(AAD);
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealed value cannot be opened with this master key", e);
    }
  }
}
