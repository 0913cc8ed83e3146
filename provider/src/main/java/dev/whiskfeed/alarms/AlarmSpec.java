package dev.whiskfeed.alarms;

import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An alarm feed's validated configuration: the parameters and messages of the OpenWhisk alarms
 * package ({@code cron}, {@code minutes} or {@code date}; {@code timezone}, {@code startDate},
 * {@code stopDate}, {@code trigger_payload}, {@code deleteAfterFire}, {@code strict}) plus
 * whiskfeed's {@code catchUp} and {@code spreadSec}.
 *
 * <p>An interval without {@code startDate} starts 30 seconds after the feed was created, as in
 * the alarms package: {@code now} + 30 s becomes its anchor (and first fire), and
 * {@link #toConfig} stores that anchor as {@code startDate}, so reloading a stored feed
 * reproduces the same instants.
 *
 * @param triggerPayload the body of every fire
 * @param deleteAfterFire {@code false}, {@code true} or {@code rules}; always {@code false} for a
 *     recurring schedule, where it has no meaning
 * @param catchUp whether one late fire is made for fires missed while the provider was down
 * @param spreadSec a per-feed offset in seconds, against thundering herds
 * @param strict {@code false}: a five-field cron fires on a second of the minute taken from the
 *     trigger's name ({@link Schedule.Cron#delaySec()}); no effect on other schedules
 */
public record AlarmSpec(
    Schedule schedule, JsonObject triggerPayload, String deleteAfterFire, boolean catchUp, int spreadSec,
    boolean strict) {

  static final Set<String> DELETE_AFTER_FIRE = Set.of("false", "true", "rules");
  static final int MAX_SPREAD_SEC = 3600;

  public AlarmSpec {
    Objects.requireNonNull(schedule, "schedule");
    triggerPayload = triggerPayload == null ? new JsonObject() : triggerPayload.copy();
    if (!DELETE_AFTER_FIRE.contains(deleteAfterFire)) {
      throw WhiskfeedException.invalid(AlarmParameters.DELETE_AFTER_FIRE_MESSAGE);
    }
    if (spreadSec < 0 || spreadSec > MAX_SPREAD_SEC) {
      throw WhiskfeedException.invalid(AlarmParameters.SPREAD_SEC_MESSAGE);
    }
  }

  /**
   * Validates the parameters of a CREATE (or the merged parameters of an UPDATE).
   *
   * @param params the alarm parameters; other feed parameters such as {@code maxTriggers} are
   *     tolerated and {@code maxTriggers} is checked against {@code stopDate}
   * @param now the moment of the request: dates must lie after it, and an interval without
   *     {@code startDate} is anchored 30 seconds after it
   * @param trigger the trigger's name without namespace, which decides the {@code strict: false} delay
   * @throws WhiskfeedException with the alarms package's message for the first invalid parameter
   */
  public static AlarmSpec parse(JsonObject params, Instant now, String trigger) {
    return new AlarmParameters(params, Objects.requireNonNull(now, "now"), trigger).spec();
  }

  /**
   * Rebuilds a stored {@link #toConfig()}: the same validation as {@link #parse} except that
   * dates need not be in the future (a once-date that has passed is the caller's business).
   */
  public static AlarmSpec restore(JsonObject config, String trigger) {
    return new AlarmParameters(config, null, trigger).spec();
  }

  /** The first fire strictly after {@code now}. */
  public Optional<Instant> firstFire(Instant now) {
    return schedule.nextAfter(now);
  }

  @Override
  public JsonObject triggerPayload() {
    return triggerPayload.copy();
  }

  /**
   * The effective configuration, for the READ body and for storing: instants as ISO-8601 UTC
   * strings. A cron keeps its {@code timezone}; interval and once schedules are fixed instants,
   * so theirs is {@code UTC}.
   */
  public JsonObject toConfig() {
    JsonObject config = new JsonObject();
    if (schedule instanceof Schedule.Cron) {
      Schedule.Cron cron = (Schedule.Cron) schedule;
      config.put("cron", cron.expression()).put("timezone", cron.zone().getId()).put("strict", strict);
      putInstant(config, "startDate", cron.start());
      putInstant(config, "stopDate", cron.stop());
    } else if (schedule instanceof Schedule.Interval) {
      Schedule.Interval interval = (Schedule.Interval) schedule;
      config.put("minutes", interval.minutes()).put("timezone", "UTC");
      putInstant(config, "startDate", interval.anchor());
      putInstant(config, "stopDate", interval.stop());
    } else {
      config.put("date", ((Schedule.Once) schedule).date().toString()).put("timezone", "UTC");
    }
    return config
        .put("trigger_payload", triggerPayload.copy())
        .put("deleteAfterFire", deleteAfterFire)
        .put("catchUp", catchUp)
        .put("spreadSec", spreadSec);
  }

  private static void putInstant(JsonObject config, String key, Instant value) {
    if (value != null) config.put(key, value.toString());
  }
}
