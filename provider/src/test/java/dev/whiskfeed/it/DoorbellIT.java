package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.deliver.Doorbell;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * The SQL a writer runs to ring the doorbell (one NOTIFY when armed, none after, and it disarms),
 * and the SQL the consumer runs to arm it.
 */
@ExtendWith(PgExtension.class)
class DoorbellIT {
  private static TestDatabase eventStore(TestPostgres pg) {
    TestDatabase db = pg.newDatabase("doorbell");
    Migrations.migrateEventStore(DbUrl.parse(db.url()));
    return db;
  }

  @Test
  void ringsOnceWhenArmedAndNeverWhenNot(TestPostgres pg) throws Exception {
    TestDatabase db = eventStore(pg);
    try (Connection listener = db.connect(); Connection writer = db.connect(); Statement l = listener.createStatement();
         Statement w = writer.createStatement()) {
      l.execute("LISTEN " + Doorbell.CHANNEL);
      w.execute("UPDATE whiskfeed.doorbell SET armed = true");
      w.execute(Doorbell.RING);
      w.execute(Doorbell.RING);
      l.execute("SELECT 1");
      assertThat(listener.unwrap(PGConnection.class).getNotifications()).hasSize(1);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isZero();
      w.execute(Doorbell.RING);
      l.execute("SELECT 1");
      assertThat(listener.unwrap(PGConnection.class).getNotifications()).isEmpty();
    }
  }

  @Test
  void aWriterDoesNotWaitForAnotherThatIsRinging(TestPostgres pg) throws Exception {
    TestDatabase db = eventStore(pg);
    try (Connection first = db.connect(); Connection second = db.connect(); Statement a = first.createStatement();
         Statement b = second.createStatement()) {
      first.setAutoCommit(false);
      a.execute(Doorbell.RING); // holds the doorbell row until it ends
      b.execute("SET lock_timeout = '2s'");
      b.execute(Doorbell.RING); // would fail on the lock timeout if it waited
      first.rollback();
    }
  }

  @Test
  void armingSkipsADoorbellAWriterIsRingingAndRecreatesAMissingOne(TestPostgres pg) throws Exception {
    TestDatabase db = eventStore(pg);
    try (Connection writer = db.connect(); Connection consumer = db.connect(); Statement w = writer.createStatement();
         Statement c = consumer.createStatement()) {
      writer.setAutoCommit(false);
      w.execute(Doorbell.RING); // armed after migration: this writer disarms it and holds the row
      c.execute("SET lock_timeout = '2s'");
      c.execute(Doorbell.ARM); // would fail on the lock timeout if it waited for the ringing writer
      writer.commit();
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isZero();
      c.execute(Doorbell.ARM);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isEqualTo(1);
      c.execute("DELETE FROM whiskfeed.doorbell"); // an unlogged table after a crash
      c.execute(Doorbell.ARM);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isEqualTo(1);
    }
  }
}
