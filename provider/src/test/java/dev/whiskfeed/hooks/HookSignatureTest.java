package dev.whiskfeed.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.hooks.HookSignature.Check;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HookSignatureTest {
  // GitHub's documented test vector ("Validating webhook deliveries")
  static final String SECRET = "It's a Secret to Everybody";
  static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
  static final String HEADER = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  @Test
  void signsLikeGitHub() {
    assertThat(HookSignature.sign(SECRET, BODY)).isEqualTo(HEADER);
  }

  @Test
  void acceptsTheRightSignatureInEitherHexCase() {
    assertThat(HookSignature.check(SECRET, BODY, HEADER)).isEqualTo(Check.VALID);
    assertThat(HookSignature.check(SECRET, BODY, "SHA256=" + HEADER.substring(7).toUpperCase())).isEqualTo(Check.VALID);
    assertThat(HookSignature.check(SECRET, BODY, " " + HEADER + " ")).isEqualTo(Check.VALID);
  }

  @Test
  void missingIsToldApartFromWrong() {
    assertThat(HookSignature.check(SECRET, BODY, null)).isEqualTo(Check.MISSING);
    assertThat(HookSignature.check(SECRET, BODY, "  ")).isEqualTo(Check.MISSING);
  }

  @Test
  void refusesEverythingElse() {
    String hex = HEADER.substring(7);
    String flipped = (hex.charAt(0) == '7' ? "8" : "7") + hex.substring(1);
    for (String wrong : new String[] {"sha256=" + flipped, hex, "sha1=" + hex, "sha256=" + hex.substring(2),
        "sha256=" + hex + "00", "sha256=" + "zz" + hex.substring(2), "sha256="}) {
      assertThat(HookSignature.check(SECRET, BODY, wrong)).as(wrong).isEqualTo(Check.WRONG);
    }
    assertThat(HookSignature.check("another secret", BODY, HEADER)).isEqualTo(Check.WRONG);
    assertThat(HookSignature.check(SECRET, "Hello, World?".getBytes(StandardCharsets.UTF_8), HEADER))
        .isEqualTo(Check.WRONG);
  }
}
