package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.WhiskfeedException;
import org.junit.jupiter.api.Test;

class TableNameTest {
  @Test
  void schemaDefaultsToPublic() {
    TableName t = TableName.parse("orders");
    assertThat(t.schema()).isEqualTo("public");
    assertThat(t.name()).isEqualTo("orders");
    assertThat(t.display()).isEqualTo("public.orders");
  }

  @Test
  void quotedPartsAreLiteralAndUnquotedOnesFoldOnlyAsAFallback() {
    TableName t = TableName.parse("\"My Schema\".\"Order \"\"Items\"\".v2\"");
    assertThat(t.schema()).isEqualTo("My Schema");
    assertThat(t.name()).isEqualTo("Order \"Items\".v2");
    assertThat(t.display()).isEqualTo("\"My Schema\".\"Order \"\"Items\"\".v2\"");
    assertThat(TableName.parse(t.display()).folded()).isEqualTo(TableName.of("My Schema", "Order \"Items\".v2"));
    TableName unquoted = TableName.parse("Sales.Orders");
    assertThat(unquoted.name()).isEqualTo("Orders");
    assertThat(unquoted.folded().schema()).isEqualTo("sales");
    assertThat(unquoted.folded().name()).isEqualTo("orders");
    assertThat(unquoted.display()).isEqualTo("\"Sales\".\"Orders\"");
  }

  @Test
  void malformedNamesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> TableName.parse("a.b.c")).isInstanceOf(WhiskfeedException.class)
        .hasMessageContaining("more than schema.table");
    assertThatThrownBy(() -> TableName.parse("\"open")).hasMessageContaining("an unterminated quote");
    assertThatThrownBy(() -> TableName.parse("public.")).hasMessageContaining("an empty name");
    assertThatThrownBy(() -> TableName.parse("a\"b")).hasMessageContaining("a quote inside an unquoted name");
    assertThatThrownBy(() -> TableName.parse(" ")).hasMessage("the table parameter is required");
  }
}
