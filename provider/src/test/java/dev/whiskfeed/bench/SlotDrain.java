package dev.whiskfeed.bench;

import dev.whiskfeed.testing.TestDatabase;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The floor of WAL capture's cost: a bare consumer of a pgoutput slot, on a thread of its own in the
 * bench JVM, that reads every message and confirms it at once without decoding it into events. What
 * the writers lose to it is the walsender's own work (decoding, pgoutput's filtering and output),
 * which no consumer can avoid. Its walsender's {@code application_name} is {@link #APPLICATION_NAME}.
 */
final class SlotDrain implements AutoCloseable {
  static final String APPLICATION_NAME = "bench-floor";
  final AtomicLong messages = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  private final Connection connection;
  private final PGReplicationStream stream;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  private SlotDrain(TestDatabase db, String slot, String publication) throws Exception {
    Properties p = new Properties();
    PGProperty.USER.set(p, db.user());
    PGProperty.PASSWORD.set(p, db.password());
    PGProperty.APPLICATION_NAME.set(p, APPLICATION_NAME);
    PGProperty.REPLICATION.set(p, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "14");
    PGProperty.PREFER_QUERY_MODE.set(p, "simple");
    connection = DriverManager.getConnection(db.jdbcUrl(), p);
    stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
        .withSlotName(slot).withSlotOption("proto_version", 1).withSlotOption("publication_names", publication)
        .withStatusInterval(1, TimeUnit.SECONDS).start();
    thread = new Thread(this::run, "bench-slot-drain");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts consuming {@code slot} (pgoutput, {@code publication}). */
  static SlotDrain start(TestDatabase db, String slot, String publication) throws Exception {
    return new SlotDrain(db, slot, publication);
  }

  private void run() {
    try {
      while (running) {
        ByteBuffer buf = stream.readPending();
        if (buf == null) {
          LockSupport.parkNanos(200_000L);
          continue;
        }
        messages.incrementAndGet();
        bytes.addAndGet(buf.remaining());
        LogSequenceNumber at = stream.getLastReceiveLSN();
        stream.setFlushedLSN(at);
        stream.setAppliedLSN(at);
      }
    } catch (Throwable t) {
      if (running) failure = t;
    }
  }

  /** Throws what stopped the reading thread, if anything did. */
  void check() {
    if (failure != null) throw new IllegalStateException("slot drain failed", failure);
  }

  @Override
  public void close() throws Exception {
    running = false;
    thread.join(5_000);
    try {
      stream.close();
    } finally {
      connection.close();
    }
  }
}
