package dev.whiskfeed.it;

import dev.whiskfeed.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user's application writing to a captured table on a thread of its own: {@code rowsPerCommit} rows per
 * transaction, a pause between transactions (load pacing, not a wait for a condition), until {@code total} rows are
 * committed or {@link #stop()}. A transaction that fails (the database is down) is tried again with the same ids
 * ({@code ON CONFLICT DO NOTHING}: a commit whose answer was lost is not written twice). The table is
 * {@code (id bigint primary key, note text)}.
 */
final class RowWriter implements AutoCloseable {
  private final TestDatabase db;
  private final String table;
  private final int rowsPerCommit;
  private final Duration pause;
  private final long total;
  /** Counted down by {@link #stop()}: the pause between transactions ends at once. */
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong next = new AtomicLong(1);
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;

  RowWriter(TestDatabase db, String table, int rowsPerCommit, Duration pause, long total) {
    this.db = db;
    this.table = table;
    this.rowsPerCommit = rowsPerCommit;
    this.pause = pause;
    this.total = total;
    this.thread = new Thread(this::run, "row-writer-" + table);
    thread.setDaemon(true);
  }

  RowWriter start() {
    thread.start();
    return this;
  }

  /** Rows committed so far (by this writer's count; the table is the truth). */
  long committed() {
    return committed.get();
  }

  /** Transactions that failed and were tried again. */
  long failures() {
    return failures.get();
  }

  boolean done() {
    return !thread.isAlive();
  }

  void stop() throws InterruptedException {
    stopped.countDown();
    thread.join(30_000);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void run() {
    Connection c = null;
    while (stopped.getCount() > 0 && committed.get() < total) {
      long from = next.get();
      int n = (int) Math.min(rowsPerCommit, total - committed.get());
      try {
        if (c == null) {
          c = db.connect();
          c.setAutoCommit(false);
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table
            + " SELECT g, 'row ' || g FROM generate_series(?::bigint, ?::bigint) g ON CONFLICT (id) DO NOTHING")) {
          insert.setLong(1, from);
          insert.setLong(2, from + n - 1);
          insert.executeUpdate();
        }
        c.commit();
        next.addAndGet(n);
        committed.addAndGet(n);
      } catch (SQLException e) {
        failures.incrementAndGet();
        close(c);
        c = null;
      }
      pause();
    }
    close(c);
  }

  /** The pause between transactions, cut short by {@link #stop()}. */
  private void pause() {
    try {
      stopped.await(pause.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped.countDown();
    }
  }

  private static void close(Connection c) {
    if (c == null) return;
    try {
      c.close();
    } catch (SQLException ignored) {
      // the connection is broken already
    }
  }
}
