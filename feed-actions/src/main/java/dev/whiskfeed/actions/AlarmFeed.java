package dev.whiskfeed.actions;

import com.google.gson.JsonObject;

/**
 * Feed action for cron alarms (provider kind {@code alarm}, parameter {@code cron}).
 *
 * <p>Arguments: the bound {@code providerUrl}; {@code lifecycleEvent} (CREATE, READ, UPDATE,
 * DELETE, PAUSE, UNPAUSE), {@code triggerName} ({@code /ns/name}) and {@code authKey} from
 * OpenWhisk; every other argument except {@code __ow_*} is passed to the provider unchanged.
 * Returns the provider's JSON answer, or {@code {"error": "…"}}: as in the alarms package, a
 * CREATE without {@code cron} answers
 * {@code alarms trigger feed is missing the cron parameter}, and a CREATE or UPDATE naming
 * {@code minutes} or {@code date} is refused ({@link AlarmSchedule}).
 */
public final class AlarmFeed {
  private static final FeedAction ACTION = FeedAction.of(AlarmSchedule.CRON);

  private AlarmFeed() {}

  public static JsonObject main(JsonObject args) {
    return ACTION.run(args, System.getenv());
  }
}
