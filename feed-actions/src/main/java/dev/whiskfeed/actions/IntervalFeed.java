package dev.whiskfeed.actions;

import com.google.gson.JsonObject;

/**
 * Feed action for interval alarms (provider kind {@code alarm}, parameter {@code minutes}).
 *
 * <p>Arguments: the bound {@code providerUrl}; {@code lifecycleEvent} (CREATE, READ, UPDATE,
 * DELETE, PAUSE, UNPAUSE), {@code triggerName} ({@code /ns/name}) and {@code authKey} from
 * OpenWhisk; every other argument except {@code __ow_*} is passed to the provider unchanged.
 * Returns the provider's JSON answer, or {@code {"error": "…"}}: as in the alarms package, a
 * CREATE without {@code minutes} answers
 * {@code interval trigger feed is missing the minutes parameter}, and a CREATE or UPDATE naming
 * {@code cron} or {@code date} is refused ({@link AlarmSchedule}).
 */
public final class IntervalFeed {
  private static final FeedAction ACTION = FeedAction.of(AlarmSchedule.INTERVAL);

  private IntervalFeed() {}

  public static JsonObject main(JsonObject args) {
    return ACTION.run(args, System.getenv());
  }
}
