package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PgExtension.class)
class MigrationIT {

  /** An upgrade's migrations say what they did and how long each took; a current schema logs nothing. */
  @Test
  void eachAppliedMigrationIsLoggedOnceAndACurrentSchemaLogsNone(TestPostgres pg) {
    TestDatabase db = pg.newDatabase("migrationlog");
    dev.whiskfeed.config.DbUrl url = dev.whiskfeed.config.DbUrl.parse(db.url());
    try (LogCapture log = new LogCapture()) {
      dev.whiskfeed.store.Migrations.migrateControl(url);
      java.util.List<String> applied = log.events().stream().filter(l -> l.startsWith("event=migration.applied")).toList();
      assertThat(applied).anySatisfy(l -> assertThat(l).startsWith("event=migration.applied set=events version=1 "));
      assertThat(applied).anySatisfy(l -> assertThat(l).startsWith("event=migration.applied set=control version=11 "
          + "description=wal tables durationMs="));
      long versions = db.queryLong("SELECT count(*) FROM whiskfeed.schema_history_events WHERE success AND version <> '0'")
          + db.queryLong("SELECT count(*) FROM whiskfeed.schema_history_control WHERE success AND version <> '0'");
      assertThat((long) applied.size()).isEqualTo(versions);
    }
    try (LogCapture log = new LogCapture()) {
      dev.whiskfeed.store.Migrations.migrateControl(url);
      assertThat(log.events()).noneMatch(l -> l.startsWith("event=migration.applied"));
    }
  }

  @Test
  void aSchemaCreatedByAnOlderMigrationSetUpgradesAndKeepsItsFeeds(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("upgrade");
    // the schema as version 1 left it, with a feed in it
    for (String[] set : new String[][] {{"db/events", "schema_history_events"}, {"db/control", "schema_history_control"}}) {
      Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).schemas("whiskfeed").createSchemas(true)
          .table(set[1]).locations("classpath:" + set[0]).baselineOnMigrate(true).baselineVersion("0").target("1")
          .load().migrate();
    }
    assertThat(db.queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'feeds_namespace'")).isZero();
    String sealedKey = new dev.whiskfeed.store.SecretBox(java.util.Base64.getDecoder().decode(TestProvider.MASTER_KEY))
        .seal("k:v");
    db.execute("INSERT INTO whiskfeed.feeds (namespace, trigger, kind, config, auth_key, state) VALUES "
        + "('guest', 'old', 'webhook', '{\"maxRetries\": 4}', ?, 'active')", sealedKey);

    try (Provider provider = TestProvider.start(db, "http://127.0.0.1:9", java.util.Map.of(
        "WHISKFEED_VERIFY_TRIGGERS", "false"))) {
      assertThat(db.queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'feeds_namespace'")).isEqualTo(1);
      Api.Response read = new Api(provider.port(), "k:v").read("guest", "old");
      assertThat(read.status()).isEqualTo(200);
      assertThat(read.json().getJsonObject("config").getInteger("maxRetries")).isEqualTo(4);
    }
  }

  @Test
  void hookTokensStoredInClearBeforeVersion15AreHashedAndSealedAndTheirUrlsStillWork(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("hooks");
    // the schema as the last version storing tokens in clear (control 11) left it
    for (String[] set : new String[][] {{"db/events", "schema_history_events", "latest"},
        {"db/control", "schema_history_control", "11"}}) {
      Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).schemas("whiskfeed").createSchemas(true)
          .table(set[1]).locations("classpath:" + set[0]).baselineOnMigrate(true).baselineVersion("0").target(set[2])
          .load().migrate();
    }
    String token = "OldClearHookToken_0123456789abcdef";
    String sealedKey = new dev.whiskfeed.store.SecretBox(java.util.Base64.getDecoder().decode(TestProvider.MASTER_KEY))
        .seal("k:v");
    db.execute("INSERT INTO whiskfeed.feeds (namespace, trigger, kind, config, auth_key, state, hook_token) VALUES "
        + "('guest', 'hooked', 'webhook', '{}', ?, 'active', ?)", sealedKey, token);

    try (Provider provider = TestProvider.start(db, "http://127.0.0.1:9", java.util.Map.of(
        "WHISKFEED_VERIFY_TRIGGERS", "false", "WHISKFEED_PUBLIC_URL", "https://hooks.example"))) {
      assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'whiskfeed' "
          + "AND table_name = 'feeds' AND column_name = 'hook_token'")).isZero();
      java.util.Map<String, Object> row = db.query("SELECT hook_token_hash, hook_token_sealed, "
          + "encode(sha256(convert_to(?, 'UTF8')), 'hex') AS expected FROM whiskfeed.feeds", token).get(0);
      assertThat(row.get("hook_token_hash")).isEqualTo(row.get("expected"));
      assertThat((String) row.get("hook_token_sealed")).startsWith("v1:").doesNotContain(token);

      Api.Response read = new Api(provider.port(), "k:v").read("guest", "hooked");
      assertThat(read.json().getJsonObject("config").getString("hookUrl")).isEqualTo("https://hooks.example/hooks/" + token);
      Api.Response posted = new HookClient(provider.port()).post("/hooks/" + token, "{\"a\": 1}",
          HookClient.headers("Content-Type", "application/json"));
      assertThat(posted.status()).as(posted.body()).isEqualTo(202);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events")).isEqualTo(1);
      assertThat(new HookClient(provider.port()).post("/hooks/" + row.get("hook_token_hash"), "{}",
          HookClient.headers("Content-Type", "application/json")).status()).isEqualTo(404);
    }
  }

  @Test
  void instancesMigratingAtOnceDoNotBreakEachOther(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("race");
    DbUrl url = DbUrl.parse(db.url());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) runs.add(pool.submit(() -> Migrations.migrateControl(url)));
      for (Future<?> f : runs) f.get();
    } finally {
      pool.shutdown();
    }
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.schema_history_control WHERE success")).isGreaterThanOrEqualTo(2);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.schema_history_control WHERE NOT success")).isZero();
  }
}
