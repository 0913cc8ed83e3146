package dev.whiskfeed.actions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Same answers as Java 11's {@code String.isBlank} and {@code String.strip}. */
class TextTest {
  @Test
  void blankMeansOnlyWhitespace() {
    assertThat(Text.isBlank("")).isTrue();
    assertThat(Text.isBlank(" \t\n\u2003")).isTrue();
    assertThat(Text.isBlank(" x ")).isFalse();
    assertThat(Text.isBlank("\u00A0")).isFalse();
  }

  @Test
  void stripRemovesLeadingAndTrailingWhitespace() {
    assertThat(Text.strip("\u2003 http://h/ \n")).isEqualTo("http://h/");
    assertThat(Text.strip("a b")).isEqualTo("a b");
    assertThat(Text.strip(" \t")).isEmpty();
    assertThat(Text.strip("\u00A0x")).isEqualTo("\u00A0x");
  }
}
