package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.capture.wal.PgOutput.Kind;
import dev.whiskfeed.capture.wal.PgOutput.Value;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PgOutputTest {
  @Test
  void lsnTextIsPostgresFormUnpadded() {
    assertThat(PgOutput.lsnText(0x16_B374_D848L)).isEqualTo("16/B374D848");
    assertThat(PgOutput.lsnText(0L)).isEqualTo("0/0");
    assertThat(PgOutput.lsnText(0x0000_0001_0000_00A0L)).isEqualTo("1/A0");
    assertThat(PgOutput.lsnText(-1L)).isEqualTo("FFFFFFFF/FFFFFFFF");
  }

  @Test
  void instantCountsMicrosFromTheYear2000() {
    assertThat(PgOutput.instant(0)).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(PgOutput.instant(789_004_800_123_456L)).isEqualTo(Instant.parse("2025-01-01T00:00:00.123456Z"));
    assertThat(PgOutput.instant(-1)).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
  }

  @Test
  void valuesCarryOnlyWhatTheirKindHas() {
    assertThat(Value.text("").kind()).isEqualTo(Kind.TEXT);
    assertThat(Value.text("")).isNotEqualTo(Value.NULL);
    assertThat(Value.binary(new byte[] {1, 2})).isEqualTo(Value.binary(new byte[] {1, 2}))
        .hasSameHashCodeAs(Value.binary(new byte[] {1, 2})).hasToString("BINARY[2 bytes]");
    assertThatThrownBy(() -> new Value(Kind.NULL, "x", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Value(Kind.TEXT, null, null)).isInstanceOf(IllegalArgumentException.class);
  }
}
