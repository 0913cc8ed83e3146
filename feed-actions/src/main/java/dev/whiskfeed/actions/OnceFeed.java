package dev.whiskfeed.actions;

import com.google.gson.JsonObject;

/**
 * Feed action for a one-time alarm (provider kind {@code alarm}, parameter {@code date}).
 *
 * <p>Arguments: the bound {@code providerUrl}; {@code lifecycleEvent} (CREATE, READ, UPDATE,
 * DELETE, PAUSE, UNPAUSE), {@code triggerName} ({@code /ns/name}) and {@code authKey} from
 * OpenWhisk; every other argument except {@code __ow_*} is passed to the provider unchanged.
 * Returns the provider's JSON answer, or {@code {"error": "…"}}: as in the alarms package, a
 * CREATE without {@code date} answers
 * {@code alarms once trigger feed is missing the date parameter}, and a CREATE or UPDATE naming
 * {@code cron} or {@code minutes} is refused ({@link AlarmSchedule}).
 */
public final class OnceFeed {
  private static final FeedAction ACTION = FeedAction.of(AlarmSchedule.ONCE);

  private OnceFeed() {}

  public static JsonObject main(JsonObject args) {
    return ACTION.run(args, System.getenv());
  }
}
