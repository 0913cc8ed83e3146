package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.capture.ChangesParams.Op;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeEncoderTest {
  static final Relation ORDERS = new Relation(1, "public", "orders", List.of("id", "status", "total", "doc"),
      List.of(PgType.NUMBER, PgType.STRING, PgType.NUMBER, PgType.JSON));

  static WalFeed feed(EnumSet<Op> events, List<String> columns, List<String> payloadColumns) {
    return new WalFeed(7, "public", "orders", events, columns, payloadColumns);
  }

  static final WalFeed ALL = feed(EnumSet.allOf(Op.class), List.of(), List.of());

  @Test
  void anInsertCarriesTheNewRowWithEveryValuePrintedAsToJsonbDoes() {
    String payload = ChangeEncoder.encode(ORDERS, ALL, Op.INSERT, null,
        new String[] {"12345678901234567890", "new \"one\"", "9.50", "{\"a\": [1, 2]}"});
    assertThat(new JsonObject(payload)).isEqualTo(new JsonObject("""
        {"table": {"schema": "public", "name": "orders"},
         "data": {"old": null, "new": {"id": 12345678901234567890, "status": "new \\"one\\"", "total": 9.50,
                                       "doc": {"a": [1, 2]}}}}"""));
    assertThat(payload).contains("\"id\":12345678901234567890").contains("\"total\":9.50");
  }

  @Test
  void onlyTheOperationsTheFeedAskedForAreTaken() {
    WalFeed inserts = feed(EnumSet.of(Op.INSERT), List.of(), List.of());
    String[] row = {"1", "x", "1", null};
    assertThat(ChangeEncoder.encode(ORDERS, inserts, Op.DELETE, row, null)).isNull();
    assertThat(ChangeEncoder.truncate(ORDERS, inserts)).isNull();
    assertThat(new JsonObject(ChangeEncoder.truncate(ORDERS, ALL)).getJsonObject("data"))
        .isEqualTo(new JsonObject().putNull("old").putNull("new"));
  }

  @Test
  void aNoOpUpdateNeverFiresAndValuesCompareAsJsonbComparesThem() {
    String[] old = {"1", "new", "1.0", "{\"a\": 1, \"b\": [1,2]}"};
    assertThat(ChangeEncoder.encode(ORDERS, ALL, Op.UPDATE, old, old.clone())).isNull();
    // the same number and the same json, spelled differently
    assertThat(ChangeEncoder.encode(ORDERS, ALL, Op.UPDATE, old, new String[] {"1", "new", "1.00", "{\"b\":[1, 2],\"a\":1}"}))
        .isNull();
    assertThat(ChangeEncoder.encode(ORDERS, ALL, Op.UPDATE, old, new String[] {"1", "paid", "1.0", old[3]})).isNotNull();
    // NULL to a value is a change
    assertThat(ChangeEncoder.encode(ORDERS, ALL, Op.UPDATE, new String[] {"1", null, "1", null},
        new String[] {"1", "", "1", null})).isNotNull();
  }

  @Test
  void withColumnsOnlyAChangeOfOneOfThemFires() {
    WalFeed byStatus = feed(EnumSet.allOf(Op.class), List.of("status"), List.of());
    String[] old = {"1", "new", "1", null};
    assertThat(ChangeEncoder.encode(ORDERS, byStatus, Op.UPDATE, old, new String[] {"1", "new", "2", null})).isNull();
    assertThat(ChangeEncoder.encode(ORDERS, byStatus, Op.UPDATE, old, new String[] {"1", "paid", "1", null})).isNotNull();
  }

  @Test
  void payloadColumnsNarrowBothRows() {
    WalFeed narrow = feed(EnumSet.allOf(Op.class), List.of(), List.of("id", "status"));
    String payload = ChangeEncoder.encode(ORDERS, narrow, Op.UPDATE, new String[] {"1", "new", "1", null},
        new String[] {"1", "paid", "1", null});
    JsonObject data = new JsonObject(payload).getJsonObject("data");
    assertThat(data.getJsonObject("old").fieldNames()).containsExactlyInAnyOrder("id", "status");
    assertThat(data.getJsonObject("new")).isEqualTo(new JsonObject().put("id", 1).put("status", "paid"));
  }

  @Test
  void withoutAWholeOldRowAnUpdateIsNeverDropped() {
    assertThat(ChangeEncoder.encode(ORDERS, ALL, Op.UPDATE, null, new String[] {"1", "x", "1", null})).isNotNull();
  }
}
