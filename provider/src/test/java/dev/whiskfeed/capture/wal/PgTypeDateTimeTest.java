package dev.whiskfeed.capture.wal;

import static dev.whiskfeed.capture.wal.JsonTextTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values are to_jsonb's answers on Postgres 15 and 17 for the same values (text output with DateStyle ISO). */
class PgTypeDateTimeTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2026-11-22 06:00:00.123+00|2026-11-22T06:00:00.123+00:00",
      "2026-11-22 11:30:00.123+05:30|2026-11-22T11:30:00.123+05:30",
      "1800-01-01 05:53:28+05:53:28|1800-01-01T05:53:28+05:53:28",
      "1900-11-22 06:19:32.123+00:19:32|1900-11-22T06:19:32.123+00:19:32",
      "2001-02-03 04:05:06-08|2001-02-03T04:05:06-08:00",
      "0044-03-15 12:00:00+00 BC|0044-03-15T12:00:00+00:00 BC",
      "4714-11-24 00:00:00-03:30 BC|4714-11-24T00:00:00-03:30 BC",
      "12345-01-01 00:00:00+00|12345-01-01T00:00:00+00:00",
      "infinity|infinity",
      "-infinity|-infinity"})
  void timestamptz(String iso, String expected) {
    assertThat(json(PgType.TIMESTAMPTZ, iso)).isEqualTo('"' + expected + '"');
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2026-11-22 06:00:00.123|2026-11-22T06:00:00.123",
      "2026-11-22 06:00:00|2026-11-22T06:00:00",
      "0044-03-15 12:00:00.5 BC|0044-03-15T12:00:00.5 BC",
      "294276-12-31 23:59:59.999999|294276-12-31T23:59:59.999999",
      "infinity|infinity",
      "-infinity|-infinity"})
  void timestamp(String iso, String expected) {
    assertThat(json(PgType.TIMESTAMP, iso)).isEqualTo('"' + expected + '"');
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "DATE|2026-11-22", "DATE|0044-03-15 BC", "DATE|4713-01-01 BC", "DATE|infinity", "DATE|-infinity",
      "TIME|06:00:00.123", "TIME|24:00:00",
      "TIMETZ|06:00:00.123+05:30", "TIMETZ|06:00:00+02", "TIMETZ|06:00:00-00:00:30"})
  void datesAndTimesPrintTheirText(PgType.Scalar type, String text) {
    assertThat(json(type, text)).isEqualTo('"' + text + '"');
  }
}
