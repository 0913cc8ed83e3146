package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.changes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * How delivery learns of captured changes. The provider's own sweep is set to a minute here, so
 * a fire within seconds shows the doorbell's NOTIFY, the rescan after a LISTEN reconnect, or the
 * poll timer of a {@code mode: poll} feed at work.
 */
@ExtendWith(PgExtension.class)
class ChangesWakeIT extends WithStandInOpenWhisk {
  TestDatabase db;
  ChangesFixture f;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("wake");
    db.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_POLL_INTERVAL_MS", "60000"));
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void eventsKeepArrivingWhenTheListenConnectionIsKilledAndListenComesBack() {
    f.create("t", changes("public.orders"));
    db.execute("INSERT INTO public.orders VALUES (1)");
    f.awaitRow("t", 1);
    long listener = listenerPid();
    assertThat(db.queryLong("SELECT count(*) FROM (SELECT pg_terminate_backend(?::int)) k", listener)).isEqualTo(1);
    db.execute("INSERT INTO public.orders VALUES (2)");
    f.awaitRow("t", 2);
    await().atMost(ChangesFixture.WAIT).until(() -> listenerPids().stream().anyMatch(pid -> pid != listener));
    for (int id = 3; id <= 5; id++) {
      armed();
      db.execute("INSERT INTO public.orders VALUES (" + id + ")");
      f.awaitRow("t", id);
    }
    assertThat(f.fires("t")).hasSize(5);
  }

  @Test
  void pollModeNeverNotifiesAndDeliversOnItsTimer() throws Exception {
    JsonObject config = f.create("t", changes("public.orders").put("mode", "poll").put("pollIntervalSec", 1))
        .getJsonObject("config");
    assertThat(config.getString("mode")).isEqualTo("poll");
    assertThat(config.getInteger("pollIntervalSec")).isEqualTo(1);
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("LISTEN whiskfeed_events");
      armed();
      db.execute("INSERT INTO public.orders VALUES (1)");
      db.execute("UPDATE public.orders SET status = 'x'");
      db.execute("INSERT INTO public.orders SELECT g FROM generate_series(2, 10) g");
      f.awaitFires("t", 11);
      s.execute("SELECT 1");
      assertThat(c.unwrap(PGConnection.class).getNotifications()).isEmpty();
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isEqualTo(1);

      // the same listener hears a listen-mode feed ring: the silence above is the poll mode's
      db.execute("CREATE TABLE public.other (id int PRIMARY KEY)");
      f.create("listening", changes("public.other"));
      armed();
      db.execute("INSERT INTO public.other VALUES (1)");
      f.awaitFires("listening", 1);
      s.execute("SELECT 1");
      assertThat(c.unwrap(PGConnection.class).getNotifications()).hasSize(1);
    }
  }

  @Test
  void aRowInsertedLongBeforeItsCommitIsFiredSoonAfterTheCommit() throws Exception {
    f.create("t", changes("public.orders"));
    db.execute("INSERT INTO public.orders VALUES (1)");
    f.awaitRow("t", 1);
    armed();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      ChangesFixture.exec(c, "INSERT INTO public.orders VALUES (2)");
      // the event is due from its INSERT, 3 s before it commits; claims between full ones read only
      // the last 2 s of due events: it must still be claimed when the commit's NOTIFY arrives, not
      // left for the poll (a minute here)
      ChangesFixture.exec(c, "SELECT pg_sleep(3)");
      c.commit();
    }
    f.awaitRow("t", 2);
    assertThat(f.fires("t")).hasSize(2);
  }

  /** Waits until the provider, idle, has armed the doorbell. */
  private void armed() {
    await().atMost(ChangesFixture.WAIT).until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed") == 1);
  }

  private long listenerPid() {
    await().atMost(ChangesFixture.WAIT).until(() -> !listenerPids().isEmpty());
    return listenerPids().get(0);
  }

  private List<Long> listenerPids() {
    return db.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        + "AND application_name = 'whiskfeed' AND query LIKE 'LISTEN%'").stream()
        .map(r -> ((Number) r.get("pid")).longValue()).toList();
  }
}
