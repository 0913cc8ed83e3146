package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.capture.RowFilter.Column;
import dev.whiskfeed.capture.RowFilter.Operator;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowFilterTest {
  @Test
  void noFilterForAbsentNullOrEmpty() {
    assertThat(RowFilter.parse(null)).isNull();
    assertThat(RowFilter.parse(new JsonObject())).isNull();
    assertThat(RowFilter.parse("")).isNull();
  }

  @Test
  void theTreeMirrorsTheJsonAndPrintsBackInItsShape() {
    String json = "{\"status\":{\"_eq\":\"paid\",\"_neq\":\"x\"},\"_or\":[{\"total\":{\"_gt\":100}},"
        + "{\"_not\":{\"note\":{\"_is_null\":true}}}],\"_and\":[]}";
    RowFilter f = RowFilter.parse(new JsonObject(json));
    assertThat(f.columns()).containsExactly("status", "total", "note");
    Column status = (Column) f.root().clauses().get(0);
    assertThat(status.tests()).extracting(RowFilter.Test::op).containsExactly(Operator.EQ, Operator.NEQ);
    assertThat(f.toJson()).isEqualTo(new JsonObject(json));
  }

  @Test
  void aStringIsReadAsJsonTextWithExactNumbers() {
    RowFilter f = RowFilter.parse("{\"total\": {\"_gt\": 12345678901234567890.123456789}}");
    Column total = (Column) f.root().clauses().get(0);
    assertThat(total.tests().get(0).value()).isEqualTo(new BigDecimal("12345678901234567890.123456789"));
  }

  @Test
  void badFormsAreRefusedWithThePathOfTheProblem() {
    assertRefused(5, "where must be a JSON object");
    assertRefused("not json", "where must be a JSON object");
    assertRefused("{\"_nand\": []}", "where._nand: unknown operator _nand");
    assertRefused("{\"s\": {\"_equals\": 1}}", "where.s: unknown operator _equals");
    assertRefused("{\"s\": 1}", "where.s must be an object of operators");
    assertRefused("{\"s\": {}}", "where.s must be an object of operators");
    assertRefused("{\"s\": {\"_eq\": null}}", "where.s._eq must not be null (test for NULL with _is_null)");
    assertRefused("{\"s\": {\"_eq\": [1]}}", "where.s._eq must be a string, a number or a boolean");
    assertRefused("{\"s\": {\"_in\": 1}}", "where.s._in must be an array of values");
    assertRefused("{\"s\": {\"_in\": [null]}}", "where.s._in must not be null");
    assertRefused("{\"s\": {\"_is_null\": \"yes\"}}", "where.s._is_null must be true or false");
    assertRefused("{\"s\": {\"_like\": 5}}", "where.s._like must be a string pattern");
    assertRefused("{\"_and\": {}}", "where._and must be an array of objects");
    assertRefused("{\"_or\": [1]}", "where._or must be an array of objects");
    assertRefused("{\"_not\": []}", "where._not must be an object");
  }

  @Test
  void sizeAndDepthAreBounded() {
    String deep = "{\"s\": {\"_eq\": 1}}";
    for (int i = 0; i < RowFilter.MAX_DEPTH + 1; i++) deep = "{\"_not\": " + deep + "}";
    assertRefused(deep, "where nests deeper than");
    StringBuilder many = new StringBuilder("{\"s\": {\"_in\": [");
    for (int i = 0; i <= RowFilter.MAX_VALUES; i++) many.append(i == 0 ? "" : ",").append(i);
    assertRefused(many.append("]}}").toString(), "where has more than");
  }

  @Test
  void mapRenamesColumnsAndReplacesValues() {
    RowFilter f = RowFilter.parse(new JsonObject("{\"Status\": {\"_in\": [\"a\"]}, \"_not\": {\"Total\": {\"_gt\": 1}}}"));
    RowFilter mapped = f.map(String::toLowerCase, (name, t) -> new RowFilter.Test(t.op(),
        t.value() instanceof List<?> l ? l.stream().map(v -> (Object) (v + "!")).toList() : t.value() + "!"));
    assertThat(mapped.toJson()).isEqualTo(new JsonObject("{\"status\": {\"_in\": [\"a!\"]}, \"_not\": {\"total\": {\"_gt\": \"1!\"}}}"));
  }

  private static void assertRefused(Object where, String message) {
    assertThatThrownBy(() -> RowFilter.parse(where instanceof String s && s.startsWith("{") ? new JsonObject(s) : where))
        .isInstanceOf(WhiskfeedException.class).hasMessageContaining(message);
  }
}
