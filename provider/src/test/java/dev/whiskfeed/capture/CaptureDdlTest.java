package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.capture.ChangesParams.Op;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureDdlTest {
  static CaptureSpec spec(EnumSet<Op> events, List<String> columns, List<String> payloadColumns, boolean ring) {
    return new CaptureSpec(42, "public", "orders", events, columns, payloadColumns, ring);
  }

  static CaptureSpec all() {
    return spec(EnumSet.allOf(Op.class), List.of(), List.of(), true);
  }

  @Test
  void oneStatementLevelTriggerPerOperationWithItsTransitionTables() {
    List<String> ddl = CaptureDdl.install(all());
    assertThat(ddl.get(0)).startsWith("DO $drop$").contains("to_regprocedure('whiskfeed.capture_42()')")
        .contains("format('DROP TRIGGER %I ON %I.%I'");
    assertThat(ddl.get(1)).startsWith("CREATE OR REPLACE FUNCTION whiskfeed.capture_42() RETURNS trigger");
    assertThat(ddl.get(2)).isEqualTo("REVOKE ALL ON FUNCTION whiskfeed.capture_42() FROM PUBLIC");
    assertThat(ddl.subList(3, ddl.size())).containsExactly(
        "CREATE TRIGGER \"whiskfeed_42_insert\" AFTER INSERT ON \"public\".\"orders\" REFERENCING NEW TABLE AS "
            + "new_rows FOR EACH STATEMENT EXECUTE FUNCTION whiskfeed.capture_42()",
        "CREATE TRIGGER \"whiskfeed_42_update\" AFTER UPDATE ON \"public\".\"orders\" REFERENCING OLD TABLE AS "
            + "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION whiskfeed.capture_42()",
        "CREATE TRIGGER \"whiskfeed_42_delete\" AFTER DELETE ON \"public\".\"orders\" REFERENCING OLD TABLE AS "
            + "old_rows FOR EACH STATEMENT EXECUTE FUNCTION whiskfeed.capture_42()",
        "CREATE TRIGGER \"whiskfeed_42_truncate\" AFTER TRUNCATE ON \"public\".\"orders\" FOR EACH STATEMENT "
            + "EXECUTE FUNCTION whiskfeed.capture_42()");
    assertThat(CaptureDdl.triggerNames(all())).containsExactly("whiskfeed_42_insert", "whiskfeed_42_update",
        "whiskfeed_42_delete", "whiskfeed_42_truncate");
  }

  @Test
  void theFunctionIsSecurityDefinerWithAPinnedSearchPathAndPinnedFormatting() {
    String function = CaptureDdl.createFunction(all());
    assertThat(function).contains("LANGUAGE plpgsql SECURITY DEFINER\nSET search_path = pg_catalog, pg_temp\n")
        .contains("SET \"TimeZone\" = 'UTC'").contains("SET \"IntervalStyle\" = 'iso_8601'")
        .contains("SET \"DateStyle\" = 'ISO'")
        .contains("SET bytea_output = 'hex'").contains("SET extra_float_digits = 1")
        .contains("#variable_conflict use_variable");
    // every table and function it names is schema-qualified
    assertThat(function).contains("INSERT INTO whiskfeed.events").contains("pg_catalog.to_jsonb(r.*)")
        .contains("pg_catalog.jsonb_build_object(").doesNotContain(" to_jsonb(").doesNotContain(" jsonb_build_object(");
  }

  @Test
  void onlyTheChosenOperationsAreInstalledAndTruncateComesWithDelete() {
    List<String> inserts = CaptureDdl.install(spec(EnumSet.of(Op.INSERT), List.of(), List.of(), true));
    assertThat(inserts).hasSize(4);
    assertThat(inserts.get(1)).contains("TG_OP = 'INSERT'").doesNotContain("TG_OP = 'UPDATE'")
        .doesNotContain("TRUNCATE");
    List<String> deletes = CaptureDdl.install(spec(EnumSet.of(Op.DELETE), List.of(), List.of(), true));
    assertThat(deletes.subList(3, deletes.size())).hasSize(2).allMatch(s -> s.contains("AFTER DELETE")
        || s.contains("AFTER TRUNCATE"));
    assertThat(deletes.get(1)).contains("IF TG_OP = 'DELETE'").contains("ELSIF TG_OP = 'TRUNCATE'");
  }

  @Test
  void listenModeRingsTheDoorbellOncePerStatementAndPollModeNever() {
    String listen = CaptureDdl.body(all());
    assertThat(listen).contains("GET DIAGNOSTICS n = ROW_COUNT").contains("IF n > 0 AND EXISTS (SELECT 1 FROM whiskfeed.doorbell x WHERE x.armed) THEN")
        .contains("FOR UPDATE SKIP LOCKED").contains("pg_catalog.pg_notify('whiskfeed_events', '')");
    assertThat(listen.indexOf("pg_notify")).isEqualTo(listen.lastIndexOf("pg_notify"));
    String poll = CaptureDdl.body(spec(EnumSet.allOf(Op.class), List.of(), List.of(), false));
    assertThat(poll).doesNotContain("pg_notify").doesNotContain("doorbell");
  }

  @Test
  void updatesCompareJsonbAndPairRowsByPosition() {
    String body = CaptureDdl.body(all());
    assertThat(body).contains("WHERE o.j IS DISTINCT FROM w.j")
        .contains("pg_catalog.row_number() OVER () AS i, pg_catalog.to_jsonb(r.*) AS j FROM old_rows r) o")
        .contains("JOIN (SELECT pg_catalog.row_number() OVER () AS i, pg_catalog.to_jsonb(r.*) AS j FROM new_rows r) w"
            + " ON w.i = o.i");
  }

  @Test
  void columnsAndPayloadColumnsUseJsonbOperatorsNotColumnReferences() {
    CaptureSpec spec = spec(EnumSet.allOf(Op.class), List.of("status", "it's"), List.of("id", "Total \"Amount\""),
        true);
    String body = CaptureDdl.body(spec);
    assertThat(CaptureDdl.changed(spec.columns())).isEqualTo(
        "((o.j OPERATOR(pg_catalog.->) E'status') IS DISTINCT FROM (w.j OPERATOR(pg_catalog.->) E'status')\n"
            + "        OR (o.j OPERATOR(pg_catalog.->) E'it''s') IS DISTINCT FROM (w.j OPERATOR(pg_catalog.->) E'it''s'))");
    assertThat(body).contains("a.attname::text <> ALL (ARRAY[E'id', E'Total \"Amount\"']::text[])")
        .contains("(pg_catalog.to_jsonb(r.*) OPERATOR(pg_catalog.-) hidden)")
        .contains("'old', (o.j OPERATOR(pg_catalog.-) hidden), 'new', (w.j OPERATOR(pg_catalog.-) hidden)");
  }

  @Test
  void namesAreQuotedAndLiteralsEscapedWhateverTheyContain() {
    CaptureSpec odd = new CaptureSpec(7, "My \"Schema\"", "a.b c", EnumSet.of(Op.INSERT), List.of(),
        List.of("x\\'; DROP TABLE t; --"), true);
    List<String> ddl = CaptureDdl.install(odd);
    assertThat(ddl.get(3)).contains("ON \"My \"\"Schema\"\"\".\"a.b c\" REFERENCING");
    assertThat(ddl.get(1)).contains("ARRAY[E'x\\\\''; DROP TABLE t; --']::text[]");
  }

  @Test
  void theDollarQuoteTagNeverOccursInTheBody() {
    CaptureSpec sneaky = spec(EnumSet.of(Op.INSERT), List.of(), List.of("$whiskfeed$", "$whiskfeed1$"), true);
    String function = CaptureDdl.createFunction(sneaky);
    assertThat(function).contains("AS $whiskfeed2$\n").endsWith("\n$whiskfeed2$");
    String body = function.substring(function.indexOf("$whiskfeed2$") + 12, function.lastIndexOf("$whiskfeed2$"));
    assertThat(body).doesNotContain("$whiskfeed2$");
  }

  @Test
  void uninstallDropsTheFeedsTriggersWhereverTheyAreAndItsFunction() {
    assertThat(CaptureDdl.uninstall(42)).hasSize(2);
    assertThat(CaptureDdl.uninstall(42).get(1)).isEqualTo("DROP FUNCTION IF EXISTS whiskfeed.capture_42()");
  }
}
