package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Doorbell;
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

  /** What another session runs while a writer rings and holds the doorbell row: it may not wait for it. */
  private interface WhileRinging {
    void run(Statement other) throws Exception;
  }

  /** Runs {@code action} on a session with a 2 s lock timeout while a writer's ringing transaction is open. */
  private static void whileAWriterRings(TestDatabase db, WhileRinging action) throws Exception {
    try (Connection writer = db.connect(); Connection other = db.connect(); Statement w = writer.createStatement();
         Statement o = other.createStatement()) {
      writer.setAutoCommit(false);
      w.execute(Doorbell.RING); // armed after migration: this writer disarms it and holds the row until it ends
      o.execute("SET lock_timeout = '2s'"); // a statement that waited for the writer fails on it
      action.run(o);
      writer.commit();
    }
  }

  @Test
  void aWriterDoesNotWaitForAnotherThatIsRinging(TestPostgres pg) throws Exception {
    whileAWriterRings(eventStore(pg), other -> other.execute(Doorbell.RING));
  }

  @Test
  void armingSkipsADoorbellAWriterIsRingingAndRecreatesAMissingOne(TestPostgres pg) throws Exception {
    TestDatabase db = eventStore(pg);
    whileAWriterRings(db, consumer -> consumer.execute(Doorbell.ARM));
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isZero();
    db.execute(Doorbell.ARM);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isEqualTo(1);
    db.execute("DELETE FROM whiskfeed.doorbell"); // an unlogged table after a crash
    db.execute(Doorbell.ARM);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.doorbell WHERE armed")).isEqualTo(1);
  }
}
