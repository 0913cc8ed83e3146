package dev.whiskfeed.actions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathSegmentTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "orderChanged    | orderChanged",
      "a-b_c.d~e       | a-b_c.d~e",
      "'a b'           | a%20b",
      "a+b             | a%2Bb",
      "user@example.com| user%40example.com",
      "ü               | %C3%BC",
      "100%            | 100%25",
      "a/b?c#d         | a%2Fb%3Fc%23d",
      ".               | %2E",
      "..              | %2E%2E",
  })
  void encodesAllButUnreservedCharacters(String segment, String encoded) {
    assertThat(PathSegment.encode(segment)).isEqualTo(encoded);
  }
}
