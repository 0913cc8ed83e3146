package dev.whiskfeed.actions;

import com.google.gson.JsonObject;

/**
 * Feed action for Postgres change feeds (provider kind {@code changes}): {@code table}, {@code events}, {@code columns} and the other parameters of API.md.
 *
 * <p>Arguments: the bound {@code providerUrl}; {@code lifecycleEvent} (CREATE, READ, UPDATE,
 * DELETE, PAUSE, UNPAUSE), {@code triggerName} ({@code /ns/name}) and {@code authKey} from
 * OpenWhisk; every other argument except {@code __ow_*} is passed to the provider unchanged.
 * Returns the provider's JSON answer, or {@code {"error": "…"}}.
 */
public final class ChangesFeed {
  private static final FeedAction ACTION = FeedAction.of(FeedKind.CHANGES);

  private ChangesFeed() {}

  public static JsonObject main(JsonObject args) {
    return ACTION.run(args, System.getenv());
  }
}
