package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import dev.whiskfeed.capture.ChangesParams.Capture;
import org.junit.jupiter.api.Test;

/** The catalog checks' messages, on catalog answers made up here. */
class CapturableTableTest {
  static final ChangesParams ORDERS = ChangesParams.parse(new JsonObject().put("table", "public.orders"),
      java.util.Set.of("table"), new JsonObject());

  static Catalog.Table table(String kind, boolean canTrigger, boolean owns) {
    return new Catalog.Table("public", "orders", kind, List.of("id", "status", "Mixed"), canTrigger, owns, "app");
  }

  @Test
  void aMissingTableIsNamedAsGiven() {
    assertThatThrownBy(() -> CapturableTable.check(ORDERS, null, Capture.TRIGGER)).hasMessage("table public.orders does not exist");
  }

  @Test
  void onlyTablesCanBeCaptured() {
    assertThatThrownBy(() -> CapturableTable.check(ORDERS, table("v", true, true), Capture.TRIGGER))
        .hasMessage("public.orders is a view, not a table");
    assertThatThrownBy(() -> CapturableTable.check(ORDERS, table("m", true, true), Capture.TRIGGER))
        .hasMessage("public.orders is a materialized view, not a table");
    assertThat(CapturableTable.check(ORDERS, table("p", true, true), Capture.TRIGGER).name()).isEqualTo("orders");
  }

  @Test
  void missingPrivilegesSayWhichAndHowToGrantThem() {
    assertThatThrownBy(() -> CapturableTable.check(ORDERS, table("r", false, true), Capture.TRIGGER))
        .isInstanceOfSatisfying(WhiskfeedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
        .hasMessage("whiskfeed's database role app lacks the TRIGGER privilege on table public.orders, needed to "
            + "create the capture trigger (GRANT TRIGGER ON public.orders TO app)");
    assertThatThrownBy(() -> CapturableTable.check(ORDERS, table("r", true, false), Capture.TRIGGER))
        .hasMessageStartingWith("whiskfeed's database role app does not own table public.orders: Postgres lets only "
            + "the table's owner drop the capture trigger again");
  }

  @Test
  void walCaptureNeedsOwnershipButNoTriggerPrivilege() {
    assertThat(CapturableTable.check(ORDERS, table("r", false, true), Capture.WAL).name()).isEqualTo("orders");
    assertThatThrownBy(() -> CapturableTable.check(ORDERS, table("r", true, false), Capture.WAL))
        .isInstanceOfSatisfying(WhiskfeedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
        .hasMessageStartingWith("whiskfeed's database role app does not own table public.orders: Postgres lets only "
            + "the table's owner set its replica identity and publish it");
  }

  @Test
  void columnsResolveToTheCatalogsSpellingOrAreNamedAsUnknown() {
    Catalog.Table t = table("r", true, true);
    assertThat(CapturableTable.columns("columns", List.of("STATUS", "Mixed", "id", "status"), t))
        .containsExactly("status", "Mixed", "id");
    assertThatThrownBy(() -> CapturableTable.columns("columns", List.of("id", "nope"), t))
        .hasMessage("columns: table public.orders has no column nope");
    assertThatThrownBy(() -> CapturableTable.columns("payloadColumns", List.of("nope", "mixed"), t))
        .hasMessage("payloadColumns: table public.orders has no columns nope, mixed");
  }
}
