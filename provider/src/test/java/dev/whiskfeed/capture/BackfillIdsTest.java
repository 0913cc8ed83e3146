package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackfillIdsTest {
  @Test
  void theRunsPrefixIsEightHexDigitsFixedForAFeedAndRunAndOtherwiseDifferent() {
    assertThat(BackfillIds.prefix(7, 1)).matches("[0-9a-f]{8}").isEqualTo(BackfillIds.prefix(7, 1));
    assertThat(BackfillIds.prefix(7, 2)).isNotEqualTo(BackfillIds.prefix(7, 1));
    assertThat(BackfillIds.prefix(8, 1)).isNotEqualTo(BackfillIds.prefix(7, 1));
  }

  @Test
  void theSaltSeparatesFeedAndRunSoNoTwoRunsShareAKeysHash() {
    assertThat(BackfillIds.salt(7, 12)).isEqualTo("7/12/");
    assertThat(BackfillIds.salt(71, 2)).isNotEqualTo(BackfillIds.salt(7, 12));
  }
}
