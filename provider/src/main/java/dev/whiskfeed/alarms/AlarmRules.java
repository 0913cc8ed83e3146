package dev.whiskfeed.alarms;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.store.AlarmScheduleRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The {@code alarm} kind: validates with the alarms package's messages ({@link AlarmSpec}), stores
 * the effective {@link AlarmSpec#toConfig()}, and keeps the feed's row in
 * {@code whiskfeed.alarm_schedules} at its next fire time, where {@link AlarmScheduler} finds it.
 */
public final class AlarmRules implements KindRules {
  static final Set<String> PARAMETERS = Set.of("cron", "minutes", "date", "timezone", "startDate", "stopDate",
      "trigger_payload", "deleteAfterFire", "catchUp", "spreadSec", "strict");
  private static final List<String> SCHEDULES = List.of("cron", "minutes", "date");
  // an instant this recent still fires when install comes a moment after validation
  private static final Duration JUST_PASSED = Duration.ofMinutes(1);

  private final AlarmScheduleRepository schedules;
  private final Clock clock;

  public AlarmRules(AlarmScheduleRepository schedules, Clock clock) {
    this.schedules = schedules;
    this.clock = clock;
  }

  @Override
  public FeedKind kind() {
    return FeedKind.ALARM;
  }

  @Override
  public Set<String> parameters() {
    return PARAMETERS;
  }

  @Override
  public Future<Validated> validate(ValidationInput input) {
    try {
      JsonObject params = input.params().copy();
      if (!input.create()) keepOneSchedule(params, input.changed());
      int maxTriggers = input.delivery().maxTriggers();
      if (maxTriggers != -1) params.put("maxTriggers", maxTriggers);
      AlarmSpec spec = AlarmSpec.parse(params, input.now(), input.id().trigger());
      if (spec.firstFire(input.now()).isEmpty()) throw noFutureInstant(params);
      return Future.succeededFuture(new Validated(spec.toConfig(), input.secrets(), null));
    } catch (WhiskfeedException invalid) {
      return Future.failedFuture(invalid);
    }
  }

  /**
   * Sets the feed's next fire time. An UPDATE or re-CREATE that leaves the timing as it was keeps
   * the row (an instant due right now is not lost); any other change starts the schedule afresh.
   */
  @Override
  public Future<Void> install(SqlConnection tx, Feed feed, Feed previous) {
    AlarmSpec spec = AlarmSpec.restore(feed.kindConfig(), feed.feedId().trigger());
    Instant now = clock.instant();
    Instant next = FireTimes.first(spec, feed.id(), now)
        .or(() -> FireTimes.first(spec, feed.id(), now.minus(JUST_PASSED)))
        .orElse(null);
    return sameTiming(spec, previous) ? schedules.ensure(tx, feed.id(), next) : schedules.upsert(tx, feed.id(), next);
  }

  @Override
  public Future<Void> uninstall(SqlConnection tx, Feed feed) {
    return schedules.remove(tx, feed.id());
  }

  /** An UPDATE naming a schedule parameter replaces the stored one (cron → minutes, say). */
  private static void keepOneSchedule(JsonObject params, Set<String> changed) {
    if (SCHEDULES.stream().noneMatch(changed::contains)) return;
    SCHEDULES.stream().filter(name -> !changed.contains(name)).forEach(params::remove);
  }

  private static boolean sameTiming(AlarmSpec spec, Feed previous) {
    if (previous == null || previous.kind() != FeedKind.ALARM) return false;
    try {
      AlarmSpec before = AlarmSpec.restore(previous.kindConfig(), previous.feedId().trigger());
      return before.schedule().equals(spec.schedule()) && before.spreadSec() == spec.spreadSec();
    } catch (WhiskfeedException unreadable) {
      return false;
    }
  }

  private static WhiskfeedException noFutureInstant(JsonObject params) {
    Object stop = params.getValue("stopDate");
    return WhiskfeedException.invalid(stop != null ? "stopDate parameter '" + stop + "' must be in the future"
        : "the schedule has no instant in the future");
  }
}
