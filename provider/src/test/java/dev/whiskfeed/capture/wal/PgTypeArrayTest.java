package dev.whiskfeed.capture.wal;

import static dev.whiskfeed.capture.wal.JsonTextTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgTypeArrayTest {
  static final PgType INTS = new PgType.Array(PgType.NUMBER, ',');
  static final PgType TEXTS = new PgType.Array(PgType.STRING, ',');

  @Test
  void flatWithNulls() {
    assertThat(json(INTS, "{1,NULL,-3}")).isEqualTo("[1, null, -3]");
    assertThat(json(INTS, "{}")).isEqualTo("[]");
  }

  @Test
  void nestedDimensionsAndBoundsDropped() {
    assertThat(json(INTS, "{{1,2},{3,NULL}}")).isEqualTo("[[1, 2], [3, null]]");
    assertThat(json(INTS, "[0:1][2:3]={{1,NULL},{3,4}}")).isEqualTo("[[1, null], [3, 4]]");
    assertThat(json(INTS, "[-5:-5]={7}")).isEqualTo("[7]");
    assertThat(json(INTS, "{{{1},{2}}}")).isEqualTo("[[[1], [2]]]");
  }

  @Test
  void quotingAndEscapes() {
    // array_out of array['a b','NULL',null,'"q"','\x',',{}','']
    assertThat(json(TEXTS, "{\"a b\",\"NULL\",NULL,\"\\\"q\\\"\",\"\\\\x\",\",{}\",\"\"}"))
        .isEqualTo("[\"a b\", \"NULL\", null, \"\\\"q\\\"\", \"\\\\x\", \",{}\", \"\"]");
    assertThat(json(TEXTS, "{null,Null,\\NULL}")).isEqualTo("[null, null, \"NULL\"]");
    assertThat(json(TEXTS, "{ a , \"b \" ,c\\ }")).isEqualTo("[\"a\", \"b \", \"c \"]");
    assertThat(json(TEXTS, "{é,😀}")).isEqualTo("[\"é\", \"😀\"]");
  }

  @Test
  void theElementTypesDelimiter() {
    PgType boxes = new PgType.Array(PgType.STRING, ';');
    assertThat(json(boxes, "{(1,1),(0,0);(3,3),(2,2)}")).isEqualTo("[\"(1,1),(0,0)\", \"(3,3),(2,2)\"]");
  }

  @Test
  void elementsPrintByTheirType() {
    assertThat(json(new PgType.Array(PgType.BOOL, ','), "{t,f,NULL}")).isEqualTo("[true, false, null]");
    assertThat(json(new PgType.Array(PgType.NUMBER, ','), "{NaN,1e+300,-Infinity}"))
        .isEqualTo("[\"NaN\", 1e+300, \"-Infinity\"]");
    assertThat(json(new PgType.Array(PgType.TIMESTAMPTZ, ','), "{\"2020-01-01 10:00:00+00\",infinity}"))
        .isEqualTo("[\"2020-01-01T10:00:00+00:00\", \"infinity\"]");
    assertThat(json(new PgType.Array(PgType.JSON, ','), "{\"{\\\"a\\\": [1, 2]}\",NULL,\"\\\"s\\\"\",3}"))
        .isEqualTo("[{\"a\": [1, 2]}, null, \"s\", 3]");
  }

  @Test
  void arrayOfComposites() {
    PgType pair = new PgType.Composite(List.of(new PgType.Field("a", PgType.NUMBER), new PgType.Field("b", PgType.STRING)));
    assertThat(json(new PgType.Array(pair, ','), "{\"(1,x)\",NULL,\"(,\\\"(,)\\\")\"}"))
        .isEqualTo("[{\"a\": 1, \"b\": \"x\"}, null, {\"a\": null, \"b\": \"(,)\"}]");
  }

  @Test
  void malformedIsRefused() {
    for (String bad : List.of("", "{1,2", "1,2}", "{1,2}x", "[1:2]{1,2}", "{\"a}", "{{1},2}x")) {
      assertThatThrownBy(() -> json(INTS, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
