package dev.whiskfeed.ops;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A progress line for start-up work that can take more than a few seconds (resealing every feed's
 * secrets, checking every trigger): at most one INFO line every five seconds, none at all when the
 * work ends sooner, so a small installation's log stays as it was. Not thread-safe: one owner steps it.
 */
public final class Progress {
  static final long EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Logger log;
  private final String event;
  private final long total;
  private final LongSupplier nanoClock;
  private long nextLine;
  private long done;

  Progress(Logger log, String event, long total, LongSupplier nanoClock) {
    this.log = log;
    this.event = event;
    this.total = total;
    this.nanoClock = nanoClock;
    this.nextLine = nanoClock.getAsLong() + EVERY_NANOS;
  }

  /** {@code event}: the log line's event name; {@code total}: how many steps the work has (-1 when unknown). */
  public static Progress of(Logger log, String event, long total) {
    return new Progress(log, event, total, System::nanoTime);
  }

  /** One step done; logs {@code done} (and {@code total}) when five seconds passed since the start or the last line. */
  public void step() {
    done++;
    long now = nanoClock.getAsLong();
    if (now - nextLine < 0) return;
    nextLine = now + EVERY_NANOS;
    if (total >= 0) log.info("{} {} {}", kv("event", event), kv("done", done), kv("total", total));
    else log.info("{} {}", kv("event", event), kv("done", done));
  }

  public long done() {
    return done;
  }
}
