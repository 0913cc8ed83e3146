package dev.whiskfeed.capture.wal;

import static dev.whiskfeed.capture.wal.JsonTextTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgTypeCompositeTest {
  // create type c1 as (a int, b text, c int[], d date)
  static final PgType C1 = new PgType.Composite(List.of(new PgType.Field("a", PgType.NUMBER),
      new PgType.Field("b", PgType.STRING), new PgType.Field("c", new PgType.Array(PgType.NUMBER, ',')),
      new PgType.Field("d", PgType.DATE)));

  @Test
  void fieldsQuotedEmptyAndNull() {
    assertThat(json(C1, "(1,\"b c\",\"{1,NULL}\",\"0044-03-15 BC\")"))
        .isEqualTo("{\"a\": 1, \"b\": \"b c\", \"c\": [1, null], \"d\": \"0044-03-15 BC\"}");
    assertThat(json(C1, "(,\"\",,)")).isEqualTo("{\"a\": null, \"b\": \"\", \"c\": null, \"d\": null}");
  }

  @Test
  void nestedCompositesAndArraysOfThem() {
    // create type c2 as (x c1, y c1[], z text); record_out of
    // row(row(1,'x"y\z',array[1],null)::c1, array[row(2,'(,)',null,'2020-01-01')::c1, null], null)::c2
    PgType c2 = new PgType.Composite(List.of(new PgType.Field("x", C1), new PgType.Field("y", new PgType.Array(C1, ',')),
        new PgType.Field("z", PgType.STRING)));
    String text = "(\"(1,\"\"x\"\"\"\"y\\\\\\\\z\"\",{1},)\",\"{\"\"(2,\\\\\"\"(,)\\\\\"\",,2020-01-01)\"\",NULL}\",)";
    assertThat(json(c2, text)).isEqualTo("{\"x\": {\"a\": 1, \"b\": \"x\\\"y\\\\z\", \"c\": [1], \"d\": null}, "
        + "\"y\": [{\"a\": 2, \"b\": \"(,)\", \"c\": null, \"d\": \"2020-01-01\"}, null], \"z\": null}");
  }

  @Test
  void splitsByRecordInRules() {
    assertThat(RecordLiteral.fields("(a,\"b,c\",\"\"\"\",x\\,y,)", 5)).isEqualTo(Arrays.asList("a", "b,c", "\"", "x,y", null));
    assertThat(RecordLiteral.fields("()", 1)).isEqualTo(Arrays.asList((String) null));
    assertThat(RecordLiteral.fields("()", 0)).isEmpty();
    assertThat(RecordLiteral.fields("(,)", 2)).isEqualTo(Arrays.asList(null, null));
    assertThat(RecordLiteral.fields("(\" ) \")", 1)).isEqualTo(List.of(" ) "));
  }

  @Test
  void aFieldCountOtherThanTheTypesIsRefused() {
    for (String bad : List.of("(1,2)", "1,2,3,4", "(1,2,3,4,5)", "(\"1,2,3,4)")) {
      assertThatThrownBy(() -> json(C1, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
