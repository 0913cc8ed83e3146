package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTextTest {
  static String json(PgType type, String text) {
    StringBuilder out = new StringBuilder();
    JsonText.append(out, type, text);
    return out.toString();
  }

  @Test
  void escapesAsPostgresEscapeJson() {
    // expected from: select to_json(e'a\x01\x1f\x7f\b"\\'::text)
    assertThat(json(PgType.STRING, "a\u0001\u001f\u007f\b\"\\")).isEqualTo("\"a\\u0001\\u001f\u007f\\b\\\"\\\\\"");
    assertThat(json(PgType.STRING, "\n\r\t\f/")).isEqualTo("\"\\n\\r\\t\\f/\"");
    assertThat(json(PgType.STRING, "\u0000")).isEqualTo("\"\\u0000\"");
  }

  @Test
  void unicodeIsKeptAsItIsSurrogatePairsIncluded() {
    assertThat(json(PgType.STRING, "é€😀\u2028\u00a0")).isEqualTo("\"é€😀\u2028\u00a0\"");
  }

  @Test
  void nullIsNullWhateverTheType() {
    for (PgType type : List.of(PgType.BOOL, PgType.NUMBER, PgType.JSON, PgType.STRING, PgType.TIMESTAMPTZ,
        new PgType.Array(PgType.NUMBER, ','), new PgType.Composite(List.of()))) {
      assertThat(json(type, null)).isEqualTo("null");
    }
  }

  @Test
  void booleansFromTheirOutput() {
    assertThat(json(PgType.BOOL, "t")).isEqualTo("true");
    assertThat(json(PgType.BOOL, "f")).isEqualTo("false");
    assertThatThrownBy(() -> json(PgType.BOOL, "true")).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "42", "-9223372036854775808", "9007199254740993", "0.1", "1.50", "-0.000",
      "1e+300", "1e-07", "1.5E+10", "3.4028235e+38", "123456789012345678901234567890.123456789012345678901234567890"})
  void numbersAreTheLiteralToken(String text) {
    assertThat(JsonText.isJsonNumber(text)).isTrue();
    assertThat(json(PgType.NUMBER, text)).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({"NaN,\"NaN\"", "Infinity,\"Infinity\"", "-Infinity,\"-Infinity\""})
  void nonFiniteNumbersAreStrings(String text, String expected) {
    assertThat(json(PgType.NUMBER, text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1 ", "0x10", "1.5e3x", "--1"})
  void notJsonNumbers(String text) {
    assertThat(JsonText.isJsonNumber(text)).isFalse();
  }

  @Test
  void jsonIsEmbeddedRaw() {
    assertThat(json(PgType.JSON, "{\"a\": 1, \"a\" :2 , \"n\": 1.000000000000000000001}"))
        .isEqualTo("{\"a\": 1, \"a\" :2 , \"n\": 1.000000000000000000001}");
  }

  @Test
  void aRowIsAnObjectOfItsColumns() {
    StringBuilder out = new StringBuilder();
    JsonText.appendObject(out, List.of(new PgType.Field("id", PgType.NUMBER), new PgType.Field("na\"me", PgType.STRING),
        new PgType.Field("gone", PgType.BOOL)), Arrays.asList("7", "x", null));
    assertThat(out).hasToString("{\"id\": 7, \"na\\\"me\": \"x\", \"gone\": null}");
  }
}
