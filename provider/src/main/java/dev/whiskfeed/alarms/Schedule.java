package dev.whiskfeed.alarms;

import com.cronutils.model.time.ExecutionTime;
import dev.whiskfeed.error.WhiskfeedException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * When an alarm feed fires. Every variant answers one question, {@link #nextAfter}: the first
 * fire strictly after a given instant, or empty when the schedule is over.
 *
 * <p>Cron expressions are Unix crontab ({@code min hour dom month dow}, 0 or 7 = Sunday, names
 * like {@code MON} and {@code JAN}) or the same with a seconds field first; parsing and evaluation
 * are cron-utils'. As in Unix cron, when both day-of-month and day-of-week are restricted a day
 * matching either fires ({@code 0 0 13 * 5}: every 13th and every Friday). Quartz's {@code ?},
 * {@code L}, {@code W}, {@code #} and nicknames such as {@code @daily} are not accepted.
 *
 * <p>A cron is evaluated on the wall clock of its zone. Across daylight-saving changes cron-utils
 * (9.2.1) does this, pinned by {@code ScheduleTest}:
 * <ul>
 *   <li>skipped hour (Europe/Berlin, last Sunday of March, 02:00 → 03:00): a time inside it does
 *       not exist, and a schedule naming only such a time ({@code 30 2 * * *}) does not fire that
 *       day at all; schedules that merely step through the hour ({@code *}{@code /30 * * * *})
 *       continue at 03:00.</li>
 *   <li>repeated hour (last Sunday of October, 03:00 → 02:00): a fixed time inside it
 *       ({@code 30 2 * * *}) fires once, at its first occurrence (summer time, +02:00);
 *       schedules that step through the hour fire in both passes, since those are distinct
 *       instants.</li>
 * </ul>
 */
public sealed interface Schedule {
  String MINUTES_MESSAGE = "the minutes parameter must be an integer greater than zero";

  /** The first fire strictly after {@code t}; empty when there is none. */
  Optional<Instant> nextAfter(Instant t);

  /**
   * A cron expression in a zone, optionally limited to {@code [start, stop]} (either may be null,
   * both inclusive). {@code delaySec} (0…59) moves every instant of the expression that many
   * seconds later, before the limits apply: the {@code strict: false} delay of the alarms package,
   * which turns {@code 0 * * * *} into {@code N 0 * * * *}.
   */
  record Cron(String expression, ZoneId zone, Instant start, Instant stop, int delaySec) implements Schedule {
    public Cron {
      Objects.requireNonNull(zone, "zone");
      CronExpressions.parse(expression); // fails early, with the user's message
      if (delaySec < 0 || delaySec > 59) throw new IllegalArgumentException("delaySec " + delaySec + " is not in 0..59");
    }

    public Cron(String expression, ZoneId zone, Instant start, Instant stop) {
      this(expression, zone, start, stop, 0);
    }

    @Override
    public Optional<Instant> nextAfter(Instant t) {
      try {
        return next(CronExpressions.executionTime(expression), t);
      } catch (DateTimeException beyondTime) {
        return Optional.empty();
      }
    }

    private Optional<Instant> next(ExecutionTime times, Instant t) {
      Duration delay = Duration.ofSeconds(delaySec);
      boolean beforeStart = start != null && start.isAfter(t);
      Instant limit = beforeStart ? start : t.plusNanos(1); // the first acceptable instant
      // Cron times are whole seconds, but cron-utils carries a fraction of the input through to its
      // answer: start from a whole second and step on until the candidate reaches the limit.
      Instant from = (beforeStart ? start.minusSeconds(1) : t).minus(delay).truncatedTo(ChronoUnit.SECONDS);
      Optional<ZonedDateTime> next = times.nextExecution(from.atZone(zone));
      while (next.isPresent() && next.get().toInstant().plus(delay).isBefore(limit)) {
        next = times.nextExecution(next.get());
      }
      return next.map(z -> z.toInstant().plus(delay)).filter(i -> stop == null || !i.isAfter(stop));
    }
  }

  /**
   * Every {@code minutes} from {@code anchor} on: anchor + k·minutes for k ≥ 0, up to {@code stop}
   * inclusive (null: forever). As in the alarms package, the first fire is at the anchor (its
   * {@code startDate}) itself.
   */
  record Interval(long minutes, Instant anchor, Instant stop) implements Schedule {
    public Interval {
      if (minutes <= 0) throw WhiskfeedException.invalid(MINUTES_MESSAGE);
      Objects.requireNonNull(anchor, "anchor");
    }

    @Override
    public Optional<Instant> nextAfter(Instant t) {
      try {
        Duration period = Duration.ofMinutes(minutes);
        long k = t.isBefore(anchor) ? 0 : Duration.between(anchor, t).dividedBy(period) + 1;
        Instant next = anchor.plus(period.multipliedBy(k));
        return stop != null && next.isAfter(stop) ? Optional.empty() : Optional.of(next);
      } catch (ArithmeticException | DateTimeException beyondTime) {
        return Optional.empty();
      }
    }
  }

  /** A single fire at {@code date}. */
  record Once(Instant date) implements Schedule {
    public Once {
      Objects.requireNonNull(date, "date");
    }

    @Override
    public Optional<Instant> nextAfter(Instant t) {
      return date.isAfter(t) ? Optional.of(date) : Optional.empty();
    }
  }
}
