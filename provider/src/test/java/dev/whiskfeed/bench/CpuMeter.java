package dev.whiskfeed.bench;

import dev.whiskfeed.testing.TestDatabase;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time spent during a benchmark part: by this JVM (provider, receiver and writers) and by the
 * rest of the machine (on the bench box, the Postgres server), from the JVM's process CPU time and
 * the busy jiffies of /proc/stat. On a machine where everything shares the cores, this says which
 * side an event's cost falls on; figures are printed per event.
 *
 * <p>Started with the database, it also splits both sides: the JVM's time into its JIT compiler
 * threads and the writers' JDBC threads, the server's into the writers' backends (each transaction with its
 * capture) and the provider's backends ({@code application_name} whiskfeed: claims, outcomes,
 * bookkeeping) and, apart, the walsender of its WAL capture ({@code whiskfeed-wal:<instance>}), read from
 * /proc/&lt;pid&gt;/stat of each backend.
 */
final class CpuMeter {
  /** Server CPU of the writers' backends and CPU of their JDBC threads, added by {@link Writers} after each run. */
  static final AtomicLong WRITER_BACKENDS_NANOS = new AtomicLong();
  static final AtomicLong WRITER_THREADS_NANOS = new AtomicLong();

  /** Where the provider and the writers work (a control database, and a source on another server); empty: no split. */
  private final List<TestDatabase> dbs;
  private final long jvmStart = jvmNanos();
  private final long machineStart = machineNanos();
  private final long compilerStart = compilerNanos();
  private final long writerBackendsStart = WRITER_BACKENDS_NANOS.get();
  private final long writerThreadsStart = WRITER_THREADS_NANOS.get();
  private final Map<Integer, Long> providerStart;
  private final Map<Integer, Long> walsenderStart;

  private CpuMeter(List<TestDatabase> dbs) {
    this.dbs = dbs;
    this.providerStart = providerBackends(dbs, "application_name = 'whiskfeed'");
    this.walsenderStart = providerBackends(dbs, "application_name LIKE 'whiskfeed-wal:%'");
  }

  static CpuMeter start() {
    return new CpuMeter(List.of());
  }

  /**
   * Also splits the JVM's and the server's time (see above); {@code dbs}: where the provider and the
   * writers work (the control database, and a source database on another server if there is one).
   */
  static CpuMeter start(TestDatabase... dbs) {
    return new CpuMeter(List.of(dbs));
  }

  /** "JVM n µs + rest m µs per event" (and the split, when started with the database), or "" where /proc/stat is not available. */
  String perEvent(long events) {
    long jvm = jvmNanos() - jvmStart;
    long machine = machineNanos() - machineStart;
    if (machine <= 0 || jvm < 0 || events == 0) return "";
    long rest = Math.max(0, machine - jvm);
    String out = String.format("CPU per event: JVM %.0f µs + rest of machine %.0f µs", jvm / 1e3 / events, rest / 1e3 / events);
    if (dbs.isEmpty()) return out;
    long provider = 0;
    for (Map.Entry<Integer, Long> now : providerBackends(dbs, "application_name = 'whiskfeed'").entrySet()) {
      provider += now.getValue() - providerStart.getOrDefault(now.getKey(), 0L);
    }
    long walsender = 0;
    for (Map.Entry<Integer, Long> now : providerBackends(dbs, "application_name LIKE 'whiskfeed-wal:%'").entrySet()) {
      walsender += now.getValue() - walsenderStart.getOrDefault(now.getKey(), 0L);
    }
    long writerBackends = WRITER_BACKENDS_NANOS.get() - writerBackendsStart;
    return out + String.format(" (JVM: JIT compiler %.0f, writers' JDBC threads %.0f; rest: writers' backends %.0f, "
            + "provider's backends %.0f, its walsender %.0f, other %.0f)", (compilerNanos() - compilerStart) / 1e3 / events,
        (WRITER_THREADS_NANOS.get() - writerThreadsStart) / 1e3 / events, writerBackends / 1e3 / events,
        provider / 1e3 / events, walsender / 1e3 / events,
        Math.max(0, rest - writerBackends - provider - walsender) / 1e3 / events);
  }

  /** CPU so far of the Postgres backends with these process ids, in ns (0 for one that is gone). */
  static long backendsNanos(List<Integer> pids) {
    long sum = 0;
    for (int pid : pids) sum += processNanos(pid);
    return sum;
  }

  /** The provider's backends in {@code dbs} whose {@code pg_stat_activity} row matches {@code which}, with their CPU so far. */
  private static Map<Integer, Long> providerBackends(List<TestDatabase> dbs, String which) {
    Map<Integer, Long> out = new HashMap<>();
    for (TestDatabase db : dbs) {
      try {
        db.query("SELECT pid FROM pg_stat_activity WHERE " + which + " AND datname = current_database()")
            .forEach(r -> {
              int pid = ((Number) r.get("pid")).intValue();
              out.put(pid, processNanos(pid));
            });
      } catch (RuntimeException e) {
        // not a local server, or no rights to see its sessions: no split
      }
    }
    return out;
  }

  /** utime + stime of a process from /proc/&lt;pid&gt;/stat in ns; 0 if unknown. */
  private static long processNanos(int pid) {
    return statNanos(Path.of("/proc", Integer.toString(pid), "stat"));
  }

  /**
   * utime + stime from a stat file (of a process, or of one thread under /proc/self/task: /proc/&lt;tid&gt;
   * of a thread reports its whole process) in ns; 0 if unknown.
   */
  private static long statNanos(Path file) {
    try {
      String stat = Files.readString(file);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // USER_HZ = 100
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU of this JVM's JIT compiler threads so far, from /proc/self/task; 0 if unknown. */
  static long compilerNanos() {
    long sum = 0;
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            sum += statNanos(task.resolve("stat"));
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return sum;
  }

  private static long jvmNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Busy time of all cores (user, nice, system, irq, softirq, steal excluded) in ns; 0 if unknown. */
  private static long machineNanos() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long jiffies = 0;
      for (int i = 1; i <= 7; i++) if (i != 4 && i != 5) jiffies += Long.parseLong(f[i]); // skip idle, iowait
      return jiffies * 10_000_000L; // USER_HZ = 100
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
