package dev.whiskfeed.app;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop that decides the exit code itself. Left to the
 * JVM, a signal runs the shutdown hooks and then exits 128 + signal (143 for SIGTERM), however
 * cleanly the hooks stopped; orchestrators and supervisors read that as a failure.
 */
final class StopSignals {
  private StopSignals() {}

  /** Runs {@code stop} once, on its own thread, at the first SIGTERM or SIGINT; later signals are ignored. */
  static void onStop(Runnable stop) {
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> {
          if (stopping.compareAndSet(false, true)) new Thread(stop, "whiskfeed-stop").start();
        });
      } catch (IllegalArgumentException e) {
        // the signal is not available here (or reserved by the JVM): the shutdown hook still stops cleanly
      }
    }
  }
}
