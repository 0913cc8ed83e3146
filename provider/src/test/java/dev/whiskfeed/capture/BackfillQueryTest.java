package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.capture.BackfillQuery.KeyColumn;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackfillQueryTest {
  static final TableName ORDERS = TableName.of("public", "orders");
  static final List<KeyColumn> ID = List.of(new KeyColumn("id", "bigint"));

  @Test
  void theFirstChunkReadsFromTheStartInKeyOrderWithTheLimitAsItsOnlyParameter() {
    String sql = BackfillQuery.chunk(ORDERS, ID, List.of(), null, false);
    assertThat(sql).contains("FROM \"public\".\"orders\" r\n").doesNotContain("WHERE")
        .endsWith("ORDER BY r.\"id\"\nLIMIT $1")
        .contains("SELECT ARRAY[r.\"id\"::pg_catalog.text] AS key")
        .contains("pg_catalog.jsonb_build_object('table', pg_catalog.jsonb_build_object('schema', E'public', 'name', "
            + "E'orders'), 'data', pg_catalog.jsonb_build_object('old', NULL, 'new', pg_catalog.to_jsonb(r.*)))");
  }

  @Test
  void laterChunksStartAfterTheLastKeyComparedAsARowOfTheKeysOwnTypes() {
    List<KeyColumn> pk = List.of(new KeyColumn("tenant", "integer"), new KeyColumn("Order No", "\"MyType\""));
    String sql = BackfillQuery.chunk(ORDERS, pk, List.of(), null, true);
    assertThat(sql).contains("WHERE (r.\"tenant\", r.\"Order No\") > ($1::pg_catalog.text::integer, "
            + "$2::pg_catalog.text::\"MyType\")\n")
        .endsWith("ORDER BY r.\"tenant\", r.\"Order No\"\nLIMIT $3");
  }

  @Test
  void aFilterIsAndedAsOnePredicateAndCountedTheSameWay() {
    String sql = BackfillQuery.chunk(ORDERS, ID, List.of(), "COALESCE(x, false)", true);
    assertThat(sql).contains("WHERE (r.\"id\") > ($1::pg_catalog.text::bigint) AND (COALESCE(x, false))\n");
    assertThat(BackfillQuery.chunk(ORDERS, ID, List.of(), "p", false)).contains("WHERE (p)\n");
    assertThat(BackfillQuery.count(ORDERS, "p")).isEqualTo("SELECT pg_catalog.count(*) AS n FROM \"public\".\"orders\" r WHERE (p)");
    assertThat(BackfillQuery.count(ORDERS, null)).isEqualTo("SELECT pg_catalog.count(*) AS n FROM \"public\".\"orders\" r");
  }

  @Test
  void payloadColumnsNarrowTheRowAsTheCaptureFunctionDoes() {
    String payload = BackfillQuery.payload(TableName.of("s'x", "t"), List.of("id", "note"));
    assertThat(payload).contains("(pg_catalog.to_jsonb(r.*) OPERATOR(pg_catalog.-) (SELECT COALESCE(")
        .contains("a.attrelid = E'\"s''x\".\"t\"'::pg_catalog.regclass")
        .contains("<> ALL (ARRAY[E'id', E'note']::text[])")
        .contains("'schema', E's''x'");
  }

  @Test
  void theSessionSettingsAreTheCaptureFunctionsPinnedOnes() {
    assertThat(BackfillQuery.settings()).isEqualTo("SET LOCAL search_path = pg_catalog, pg_temp; "
        + "SET LOCAL \"TimeZone\" = 'UTC'; SET LOCAL \"IntervalStyle\" = 'iso_8601'; SET LOCAL \"DateStyle\" = 'ISO'; "
        + "SET LOCAL bytea_output = 'hex'; SET LOCAL extra_float_digits = 1");
    assertThat(CaptureDdl.createFunction(new CaptureSpec(1, "public", "t", java.util.Set.of(ChangesParams.Op.INSERT),
        List.of(), List.of(), true))).contains("SET search_path = pg_catalog, pg_temp\nSET \"TimeZone\" = 'UTC'\n");
  }

  @Test
  void readingElsewhereAddsEachRowsIdAfterTheChunksParametersAndCarriesThePayloadAsText() {
    String chunk = BackfillQuery.chunk(ORDERS, ID, List.of(), null, true);
    assertThat(BackfillQuery.chunkParams(ID, true)).isEqualTo(2);
    assertThat(BackfillQuery.chunkParams(ID, false)).isEqualTo(1);
    String read = BackfillQuery.read(chunk, 2);
    assertThat(read).startsWith("SELECT s.key, ").contains("pg_catalog.md5($4 || s.key::pg_catalog.text)")
        .contains("pg_catalog.decode($3 || ").contains("s.payload::pg_catalog.text AS payload").endsWith("FROM (" + chunk + ") s");
  }

  @Test
  void storingInPlaceKeepsKeyOrderAndTakesTheFeedIdLast() {
    String chunk = BackfillQuery.chunk(ORDERS, ID, List.of(), null, false);
    String sql = BackfillQuery.store(chunk, 1, "ON CONFLICT (id) DO NOTHING", "rang AS (SELECT 1)");
    assertThat(sql).contains("pg_catalog.row_number() OVER () AS ord").contains("pg_catalog.md5($3 || s.key")
        .contains("SELECT c.id, $4, 'BACKFILL', c.payload FROM c ORDER BY c.ord\n  ON CONFLICT (id) DO NOTHING\n")
        .contains("(SELECT c.key FROM c ORDER BY c.ord DESC LIMIT 1) AS last_key");
  }

  @Test
  void aTableWithoutKeyHasNoChunkQuery() {
    assertThatThrownBy(() -> BackfillQuery.chunk(ORDERS, List.of(), List.of(), null, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
