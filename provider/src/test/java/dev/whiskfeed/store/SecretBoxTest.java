package dev.whiskfeed.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static byte[] key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  @Test
  void sealedValuesOpenWithTheSameKeyOnly() {
    SecretBox box = new SecretBox(key());
    String sealed = box.seal("23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secretkey");
    assertThat(sealed).startsWith("v1:").doesNotContain("secretkey");
    assertThat(box.open(sealed)).isEqualTo("23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secretkey");
    assertThat(box.seal("same")).isNotEqualTo(box.seal("same"));
    assertThatThrownBy(() -> new SecretBox(key()).open(sealed)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void duringARotationValuesOfThePreviousKeyOpenAndNewOnesAreSealedUnderTheCurrentKey() {
    byte[] old = key();
    byte[] current = key();
    String sealedBefore = new SecretBox(old).seal("stored under the old key");
    SecretBox rotating = new SecretBox(current, old);
    assertThat(rotating.open(sealedBefore)).isEqualTo("stored under the old key");
    String moved = rotating.underCurrentKey(sealedBefore);
    assertThat(moved).isNotEqualTo(sealedBefore);
    assertThat(new SecretBox(current).open(moved)).isEqualTo("stored under the old key");
    String sealedNow = rotating.seal("stored under the new key");
    assertThat(rotating.underCurrentKey(sealedNow)).isEqualTo(sealedNow);
    assertThat(new SecretBox(current).open(sealedNow)).isEqualTo("stored under the new key");
    assertThatThrownBy(() -> new SecretBox(old).open(sealedNow)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new SecretBox(current, key()).open(sealedBefore)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void tamperedValuesDoNotOpen() {
    SecretBox box = new SecretBox(key());
    String sealed = box.seal("value");
    char last = sealed.charAt(sealed.length() - 3);
    String tampered = sealed.substring(0, sealed.length() - 3) + (last == 'A' ? 'B' : 'A') + sealed.substring(sealed.length() - 2);
    assertThatThrownBy(() -> box.open(tampered)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void comparesSecrets() {
    assertThat(SecretBox.same("a:b", "a:b")).isTrue();
    assertThat(SecretBox.same("a:b", "a:c")).isFalse();
    assertThat(SecretBox.same(null, "a")).isFalse();
  }
}
