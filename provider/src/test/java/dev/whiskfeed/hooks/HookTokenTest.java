package dev.whiskfeed.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HookTokenTest {
  @Test
  void tokensAreUrlSafeAndCarryAtLeast128Bits() {
    SecureRandom random = new SecureRandom();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String token = HookToken.generate(random);
      assertThat(token).matches("[A-Za-z0-9_-]{32}");
      assertThat(HookToken.wellFormed(token)).isTrue();
      seen.add(token);
    }
    assertThat(seen).hasSize(1000);
    assertThat(HookToken.BYTES * 8).isGreaterThanOrEqualTo(128);
  }

  @Test
  void malformedTokensAreRefusedWithoutALookup() {
    for (String bad : new String[] {null, "", "short", "a".repeat(21), "a".repeat(129), "a".repeat(31) + "/",
        "a".repeat(31) + "=", "a".repeat(31) + "+", "a".repeat(31) + "%"}) {
      assertThat(HookToken.wellFormed(bad)).as(String.valueOf(bad)).isFalse();
    }
  }
}
