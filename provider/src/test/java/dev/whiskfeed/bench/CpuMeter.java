package dev.whiskfeed.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent during a benchmark part: by this JVM (provider, receiver and writers) and by the
 * rest of the machine (on the bench box, the Postgres server), from the JVM's process CPU time and
 * the busy jiffies of /proc/stat. On a machine where everything shares the cores, this says which
 * side an event's cost falls on; figures are printed per event.
 */
final class CpuMeter {
  private final long jvmStart = jvmNanos();
  private final long machineStart = machineNanos();

  static CpuMeter start() {
    return new CpuMeter();
  }

  /** "JVM n µs + rest m µs per event", or "" where /proc/stat is not available. */
  String perEvent(long events) {
    long jvm = jvmNanos() - jvmStart;
    long machine = machineNanos() - machineStart;
    if (machine <= 0 || jvm < 0 || events == 0) return "";
    return String.format("CPU per event: JVM %.0f µs + rest of machine %.0f µs", jvm / 1e3 / events,
        Math.max(0, machine - jvm) / 1e3 / events);
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
