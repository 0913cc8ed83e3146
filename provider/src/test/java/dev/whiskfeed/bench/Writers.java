package dev.whiskfeed.bench;

import dev.whiskfeed.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** JDBC writers for the benchmarks: closed-loop (as fast as they can) or open-loop (a fixed schedule). */
final class Writers {
  private Writers() {}

  record Result(long transactions, double seconds, long[] latenciesMicros) {
    double tps() {
      return transactions / seconds;
    }

    double percentileMs(double p) {
      if (latenciesMicros.length == 0) return Double.NaN;
      long[] sorted = latenciesMicros.clone();
      Arrays.sort(sorted);
      return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1000.0;
    }
  }

  /** {@code writers} threads each INSERT one row per transaction into {@code table} for {@code seconds}. */
  static Result closedLoop(TestDatabase db, String table, int writers, double seconds) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong count = new AtomicLong();
    List<long[]> samples = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      long[] mine = new long[250_000];
      samples.add(mine);
      Thread t = new Thread(() -> {
        int n = 0;
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (v, note) VALUES (?, 'bench row')")) {
          c.setAutoCommit(true);
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            ps.setInt(1, n);
            ps.executeUpdate();
            if (n < mine.length) mine[n] = (System.nanoTime() - t0) / 1000;
            n++;
          }
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        count.addAndGet(n);
        mine[mine.length - 1] = n;
      });
      threads.add(t);
    }
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread t : threads) t.join();
    double secs = (System.nanoTime() - t0) / 1e9;
    long total = count.get();
    long[] all = new long[(int) Math.min(total, Integer.MAX_VALUE - 8)];
    int i = 0;
    for (long[] s : samples) {
      int n = (int) Math.min(s[s.length - 1], s.length - 1);
      System.arraycopy(s, 0, all, i, n);
      i += n;
    }
    return new Result(total, secs, Arrays.copyOf(all, i));
  }

  /**
   * Open loop: transactions of {@code rowsPerTx} rows at {@code txPerSecond}, spread over
   * {@code writers} threads, each transaction scheduled at a fixed time (no coordinated omission:
   * a late writer does not lower the offered rate). Records the commit time of every row id in
   * {@code committedAt} (System.nanoTime, one clock with the receiver).
   */
  static long openLoop(TestDatabase db, List<String> tables, int writers, double txPerSecond, int rowsPerTx,
                       double seconds, ConcurrentHashMap<String, Long> committedAt) throws Exception {
    long start = System.nanoTime() + 50_000_000L;
    long total = (long) (txPerSecond * seconds);
    double intervalNs = 1e9 / txPerSecond;
    AtomicLong next = new AtomicLong();
    AtomicLong rows = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Thread t = new Thread(() -> {
        try (Connection c = db.connect()) {
          c.setAutoCommit(rowsPerTx == 1);
          List<PreparedStatement> statements = new ArrayList<>();
          for (String table : tables) {
            statements.add(c.prepareStatement("INSERT INTO " + table + " (v, note) VALUES (?, 'bench row') RETURNING id"));
          }
          for (long k = next.getAndIncrement(); k < total; k = next.getAndIncrement()) {
            long due = start + (long) (k * intervalNs);
            long wait = due - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            int which = (int) (k % tables.size());
            PreparedStatement ps = statements.get(which);
            long[] ids = new long[rowsPerTx];
            for (int r = 0; r < rowsPerTx; r++) {
              ps.setLong(1, k);
              try (var rs = ps.executeQuery()) {
                rs.next();
                ids[r] = rs.getLong(1);
              }
            }
            if (rowsPerTx > 1) c.commit();
            long now = System.nanoTime();
            for (long id : ids) committedAt.put(tables.get(which) + ":" + id, now);
            rows.addAndGet(rowsPerTx);
          }
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) t.join();
    return rows.get();
  }
}
