package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WalDdlTest {
  @Test
  void captureAddsToThePublicationAndMakesOldRowsWholeOnlyWhereNeeded() {
    assertThat(WalDdl.capture(16401, false, "DEFAULT")).contains("ALTER PUBLICATION whiskfeed ADD TABLE")
        .contains("REPLICA IDENTITY FULL").contains("16401::oid::regclass");
    assertThat(WalDdl.capture(16401, true, "FULL")).doesNotContain("ALTER PUBLICATION").doesNotContain("REPLICA");
  }

  @Test
  void releaseRestoresOnlyAReplicaIdentityClause() {
    assertThat(WalDdl.release(16401, "USING INDEX \"orders_pkey\"")).contains("'USING INDEX \"orders_pkey\"'")
        .contains("DROP TABLE");
    assertThatThrownBy(() -> WalDdl.release(16401, "DEFAULT; DROP TABLE x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
