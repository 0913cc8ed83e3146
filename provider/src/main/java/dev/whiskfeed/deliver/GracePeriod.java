package dev.whiskfeed.deliver;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A graceful stop's wait: until the work in flight settled, or the grace ran out, whichever comes
 * first; looked at now and every {@link #LOOK_EVERY_MS} after. Event loop only.
 */
final class GracePeriod {
  static final long LOOK_EVERY_MS = 25;

  private GracePeriod() {}

  /** Completes once {@code settled} holds, or {@code grace} after now ({@code nanos}), whichever is first. */
  static Future<Void> await(BooleanSupplier settled, Duration grace, LongSupplier nanos, OutcomeBatcher.Timers timers) {
    Promise<Void> done = Promise.promise();
    look(done, settled, nanos.getAsLong() + grace.toNanos(), nanos, timers);
    return done.future();
  }

  private static void look(Promise<Void> done, BooleanSupplier settled, long deadline, LongSupplier nanos,
                           OutcomeBatcher.Timers timers) {
    if (settled.getAsBoolean() || nanos.getAsLong() > deadline) {
      done.complete();
    } else {
      timers.after(LOOK_EVERY_MS, () -> look(done, settled, deadline, nanos, timers));
    }
  }
}
