package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.capture.FilterType;
import dev.whiskfeed.capture.RowFilter;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WalFilterTest {
  static final List<String> COLUMNS = List.of("n", "t", "c", "ts", "tstz", "d", "tm", "b", "u", "j");
  static final Map<String, FilterType> TYPES = Map.of("n", FilterType.NUMBER, "t", FilterType.TEXT, "c", FilterType.CHAR,
      "ts", FilterType.TIMESTAMP, "tstz", FilterType.TIMESTAMPTZ, "d", FilterType.DATE, "tm", FilterType.TIME,
      "b", FilterType.BOOL, "u", FilterType.UUID, "j", FilterType.OTHER);
  static final Relation REL = new Relation(1, "public", "t", COLUMNS,
      COLUMNS.stream().map(c -> (PgType) PgType.STRING).toList());

  static boolean matches(String where, String... pairs) throws Exception {
    WalFilter f = WalFilter.bind(RowFilter.parse(new JsonObject(where)), REL, i -> TYPES.get(COLUMNS.get(i)));
    String[] row = new String[COLUMNS.size()];
    for (int i = 0; i < pairs.length; i += 2) row[COLUMNS.indexOf(pairs[i])] = pairs[i + 1];
    return f.matches(row);
  }

  @Test
  void numbersCompareAsNumericWithNaNOnTopAndMinusZeroEqualToZero() throws Exception {
    assertThat(matches("{\"n\": {\"_eq\": \"0\"}}", "n", "-0")).isTrue();
    assertThat(matches("{\"n\": {\"_eq\": \"1.50\"}}", "n", "1.5")).isTrue();
    assertThat(matches("{\"n\": {\"_gt\": \"1e300\"}}", "n", "NaN")).isTrue();
    assertThat(matches("{\"n\": {\"_gt\": \"1e300\"}}", "n", "Infinity")).isTrue();
    assertThat(matches("{\"n\": {\"_lt\": \"Infinity\"}}", "n", "NaN")).isFalse();
    assertThat(matches("{\"n\": {\"_eq\": \"NaN\"}}", "n", "NaN")).isTrue();
    assertThat(matches("{\"n\": {\"_lt\": \"-1e300\"}}", "n", "-Infinity")).isTrue();
    assertThat(matches("{\"n\": {\"_gt\": \"12345678901234567890.12345678\"}}", "n", "12345678901234567890.123456789"))
        .isTrue();
    assertThat(matches("{\"n\": {\"_gt\": \"1\"}}", "n", "1e+20")).isTrue();
  }

  @Test
  void nullIsUnknownSoNeitherTheTestNorItsNotMatches() throws Exception {
    assertThat(matches("{\"n\": {\"_neq\": \"1\"}}")).isFalse();
    assertThat(matches("{\"_not\": {\"n\": {\"_eq\": \"1\"}}}")).isFalse();
    assertThat(matches("{\"n\": {\"_nin\": [\"1\"]}}")).isFalse();
    assertThat(matches("{\"n\": {\"_nin\": []}}")).isTrue();
    assertThat(matches("{\"n\": {\"_in\": []}}", "n", "1")).isFalse();
    assertThat(matches("{\"n\": {\"_is_null\": true}}")).isTrue();
    assertThat(matches("{\"n\": {\"_is_null\": false}}")).isFalse();
    // unknown OR true is true; unknown AND false is false
    assertThat(matches("{\"_or\": [{\"n\": {\"_eq\": \"1\"}}, {\"t\": {\"_eq\": \"a\"}}]}", "t", "a")).isTrue();
    assertThat(matches("{\"_not\": {\"_and\": [{\"n\": {\"_eq\": \"1\"}}, {\"t\": {\"_eq\": \"a\"}}]}}", "t", "b")).isTrue();
    assertThat(matches("{\"_or\": []}")).isFalse();
    assertThat(matches("{\"_and\": []}")).isTrue();
  }

  @Test
  void likeIsPostgresLikeOnCharacters() throws Exception {
    assertThat(matches("{\"t\": {\"_like\": \"a%\"}}", "t", "abc")).isTrue();
    assertThat(matches("{\"t\": {\"_like\": \"a%\"}}", "t", "Abc")).isFalse();
    assertThat(matches("{\"t\": {\"_like\": \"_b_\"}}", "t", "äbc")).isTrue();
    assertThat(matches("{\"t\": {\"_like\": \"_b_\"}}", "t", "😀b😀")).isTrue();
    assertThat(matches("{\"t\": {\"_like\": \"50\\\\%\"}}", "t", "50%")).isTrue();
    assertThat(matches("{\"t\": {\"_like\": \"50\\\\%\"}}", "t", "500")).isFalse();
    assertThat(matches("{\"t\": {\"_like\": \"%a%b%\"}}", "t", "xxaxxbxx")).isTrue();
    assertThat(matches("{\"t\": {\"_like\": \"%a%b\"}}", "t", "abab")).isTrue();
    assertThat(matches("{\"t\": {\"_like\": \"\"}}", "t", "")).isTrue();
    assertThat(matches("{\"t\": {\"_ilike\": \"%ÄB%\"}}", "t", "xäbx")).isTrue();
    assertThat(matches("{\"t\": {\"_ilike\": \"STRASSE\"}}", "t", "straße")).isFalse(); // simple mapping: ß stays
    assertThat(matches("{\"c\": {\"_like\": \"ab\"}}", "c", "ab   ")).isTrue();
    assertThat(matches("{\"c\": {\"_eq\": \"ab\"}}", "c", "ab   ")).isTrue();
    assertThat(matches("{\"t\": {\"_eq\": \"ab\"}}", "t", "ab ")).isFalse();
  }

  @Test
  void timesCompareAsInstantsAndDaysWithInfinityAndBc() throws Exception {
    assertThat(matches("{\"tstz\": {\"_eq\": \"2026-01-01T00:00:00+00:00\"}}", "tstz", "2026-01-01 02:00:00+02")).isTrue();
    assertThat(matches("{\"tstz\": {\"_gt\": \"2026-01-01T00:00:00+00:00\"}}", "tstz", "2026-01-01 05:29:59+05:30"))
        .isFalse();
    assertThat(matches("{\"tstz\": {\"_lt\": \"2026-01-01T00:00:00+00:00\"}}", "tstz", "-infinity")).isTrue();
    assertThat(matches("{\"tstz\": {\"_gt\": \"2026-01-01T00:00:00+00:00\"}}", "tstz", "1900-01-01 00:00:00+00:19:32"))
        .isFalse();
    assertThat(matches("{\"ts\": {\"_lt\": \"0001-01-01T00:00:00\"}}", "ts", "0044-03-15 10:00:00 BC")).isTrue();
    assertThat(matches("{\"ts\": {\"_gt\": \"2026-01-01T00:00:00.000001\"}}", "ts", "2026-01-01 00:00:00.00001")).isTrue();
    assertThat(matches("{\"d\": {\"_gt\": \"0044-03-15 BC\"}}", "d", "0001-01-01 BC")).isTrue();
    assertThat(matches("{\"d\": {\"_gt\": \"2026-01-01\"}}", "d", "infinity")).isTrue();
    assertThat(matches("{\"tm\": {\"_gt\": \"23:59:59.999999\"}}", "tm", "24:00:00")).isTrue();
    assertThat(matches("{\"b\": {\"_lt\": true}}", "b", "f")).isTrue();
    assertThat(matches("{\"u\": {\"_gt\": \"7fffffff-ffff-ffff-ffff-ffffffffffff\"}}", "u",
        "80000000-0000-0000-0000-000000000000")).isTrue();
  }

  @Test
  void aFilterThatNoLongerFitsItsTableTakesEveryRow() throws Exception {
    RowFilter gone = RowFilter.parse(new JsonObject("{\"missing\": {\"_eq\": \"1\"}}"));
    WalFilter f = WalFilter.bind(gone, REL, i -> TYPES.get(COLUMNS.get(i)));
    assertThat(f.bound()).isFalse();
    assertThat(f.matches(new String[COLUMNS.size()])).isTrue();
    // a column now of a type the operator does not apply to
    WalFilter retyped = WalFilter.bind(RowFilter.parse(new JsonObject("{\"j\": {\"_gt\": \"1\"}}")), REL,
        i -> TYPES.get(COLUMNS.get(i)));
    assertThat(retyped.bound()).isFalse();
    assertThat(retyped.matches(row("j", "0"))).isTrue();
    // a value the column cannot read: the change is kept
    WalFilter unreadable = WalFilter.bind(RowFilter.parse(new JsonObject("{\"n\": {\"_gt\": \"1\"}}")), REL,
        i -> TYPES.get(COLUMNS.get(i)));
    assertThat(unreadable.matches(row("n", "(1,2)"))).isTrue();
  }

  private static String[] row(String column, String value) {
    String[] row = new String[COLUMNS.size()];
    Arrays.fill(row, null);
    row[COLUMNS.indexOf(column)] = value;
    return row;
  }
}
