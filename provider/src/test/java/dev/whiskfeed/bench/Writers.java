package dev.whiskfeed.bench;

import dev.whiskfeed.testing.TestDatabase;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop JDBC writers for the benchmarks: transactions on a fixed schedule, whatever the latency.
 * The connections stay open between runs, as an application's pool does: a new server backend
 * compiles every capture function and plans every statement on first use, and a run on new
 * connections measures that too (with 100 tables, the first second of a latency run).
 */
final class Writers implements AutoCloseable {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final List<String> tables;
  private final List<Connection> connections = new ArrayList<>();
  private final List<List<PreparedStatement>> statements = new ArrayList<>();
  /** Per writer and table: one INSERT of many rows (from an array), as an application writing in batches. */
  private final List<List<PreparedStatement>> multiRow = new ArrayList<>();
  /** The server process of each connection, whose CPU {@link CpuMeter} counts as the writers' backends. */
  private final List<Integer> backends = new ArrayList<>();

  private Writers(TestDatabase db, List<String> tables, int writers) throws SQLException {
    this.tables = tables;
    try {
      for (int w = 0; w < writers; w++) {
        Connection c = db.connect();
        connections.add(c);
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          backends.add(rs.getInt(1));
        }
        List<PreparedStatement> own = new ArrayList<>();
        for (String table : tables) {
          own.add(c.prepareStatement("INSERT INTO " + table + " (v, note) VALUES (?, 'bench row') RETURNING id"));
        }
        statements.add(own);
        List<PreparedStatement> many = new ArrayList<>();
        for (String table : tables) {
          many.add(c.prepareStatement("INSERT INTO " + table + " (v, note) "
              + "SELECT v, 'bench row' FROM unnest(?::bigint[]) v RETURNING id"));
        }
        multiRow.add(many);
      }
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  static Writers open(TestDatabase db, List<String> tables, int writers) throws SQLException {
    return new Writers(db, tables, writers);
  }

  /** One run on connections of its own, closed after it. */
  static long openLoop(TestDatabase db, List<String> tables, int writers, double txPerSecond, int rowsPerTx,
                       boolean oneStatement, double seconds, ConcurrentHashMap<String, Long> committedAt)
      throws Exception {
    try (Writers w = open(db, tables, writers)) {
      return w.run(txPerSecond, rowsPerTx, oneStatement, seconds, committedAt);
    }
  }

  /**
   * Open loop: transactions of {@code rowsPerTx} rows at {@code txPerSecond}, spread over the
   * writers' threads, each transaction scheduled at a fixed time (no coordinated omission: a late
   * writer does not lower the offered rate). Records the commit time of every row id in
   * {@code committedAt} (System.nanoTime, one clock with the receiver). A transaction of many rows is
   * one multi-row INSERT ({@code oneStatement}) or as many single-row INSERTs.
   */
  long run(double txPerSecond, int rowsPerTx, double seconds, ConcurrentHashMap<String, Long> committedAt)
      throws Exception {
    return run(txPerSecond, rowsPerTx, false, seconds, committedAt);
  }

  long run(double txPerSecond, int rowsPerTx, boolean oneStatement, double seconds,
           ConcurrentHashMap<String, Long> committedAt) throws Exception {
    long start = System.nanoTime() + 50_000_000L;
    long total = (long) (txPerSecond * seconds);
    double intervalNs = 1e9 / txPerSecond;
    AtomicLong next = new AtomicLong();
    AtomicLong rows = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long backendsAtStart = CpuMeter.backendsNanos(backends);
    for (int i = 0; i < connections.size(); i++) {
      int w = i;
      Connection c = connections.get(w);
      List<PreparedStatement> own = statements.get(w);
      Thread t = new Thread(() -> {
        long cpuAtStart = THREADS.getCurrentThreadCpuTime();
        try {
          boolean many = oneStatement && rowsPerTx > 1;
          c.setAutoCommit(rowsPerTx == 1 || many);
          for (long k = next.getAndIncrement(); k < total; k = next.getAndIncrement()) {
            long due = start + (long) (k * intervalNs);
            long wait = due - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            int which = (int) (k % tables.size());
            long[] ids = new long[rowsPerTx];
            if (many) {
              PreparedStatement ps = multiRow.get(w).get(which);
              Long[] values = new Long[rowsPerTx];
              java.util.Arrays.fill(values, k);
              ps.setArray(1, c.createArrayOf("bigint", values));
              try (var rs = ps.executeQuery()) {
                for (int r = 0; r < rowsPerTx && rs.next(); r++) ids[r] = rs.getLong(1);
              }
            } else {
              PreparedStatement ps = own.get(which);
              for (int r = 0; r < rowsPerTx; r++) {
                ps.setLong(1, k);
                try (var rs = ps.executeQuery()) {
                  rs.next();
                  ids[r] = rs.getLong(1);
                }
              }
            }
            if (rowsPerTx > 1 && !many) c.commit();
            long now = System.nanoTime();
            for (long id : ids) committedAt.put(tables.get(which) + ":" + id, now);
            rows.addAndGet(rowsPerTx);
          }
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        } finally {
          CpuMeter.WRITER_THREADS_NANOS.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuAtStart);
        }
      });
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) t.join();
    CpuMeter.WRITER_BACKENDS_NANOS.addAndGet(Math.max(0, CpuMeter.backendsNanos(backends) - backendsAtStart));
    return rows.get();
  }

  @Override
  public void close() {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // a benchmark's connection: nothing to keep
      }
    }
  }
}
