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
 * key it is unreadable, and a tampered value fails to open.
 */
public final class SecretBox {
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final byte[] AAD = "whiskfeed".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(byte[] masterKey) {
    if (masterKey.length != 32) throw new IllegalArgumentException("master key must be 32 bytes");
    this.key = new SecretKeySpec(masterKey.clone(), "AES");
  }

  public String seal(String plain) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = crypt(Cipher.ENCRYPT_MODE, nonce, plain.getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[NONCE_BYTES + sealed.length];
    System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
    System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
    return PREFIX + Base64.getEncoder().encodeToString(out);
  }

  public String open(String sealed) {
    if (!sealed.startsWith(PREFIX)) throw new IllegalStateException("not a sealed value");
    byte[] in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
    byte[] nonce = java.util.Arrays.copyOfRange(in, 0, NONCE_BYTES);
    byte[] body = java.util.Arrays.copyOfRange(in, NONCE_BYTES, in.length);
    return new String(crypt(Cipher.DECRYPT_MODE, nonce, body), StandardCharsets.UTF_8);
  }

  /** Constant-time comparison of two secrets. */
  public static boolean same(String a, String b) {
    if (a == null || b == null) return false;
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] crypt(int mode, byte[] nonce, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(AAD);
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealed value cannot be opened with this master key", e);
    }
  }
}
