package dev.whiskfeed.actions;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * The three alarm feed actions, as in the OpenWhisk alarms package: {@code alarm} schedules by
 * {@code cron}, {@code interval} by {@code minutes}, {@code once} at a {@code date}. All three
 * create a provider feed of kind {@code alarm}; this check keeps each action to its schedule.
 *
 * <p>A CREATE without the action's own parameter is refused with the package's message. A CREATE
 * or UPDATE naming another action's schedule parameter is refused as well (the package ignored
 * it), so a trigger keeps the schedule kind it was created with, as in the package.
 */
enum AlarmSchedule implements ParameterCheck {
  CRON("alarm", "cron", "alarms trigger feed is missing the cron parameter"),
  INTERVAL("interval", "minutes", "interval trigger feed is missing the minutes parameter"),
  ONCE("once", "date", "alarms once trigger feed is missing the date parameter");

  private final String action;
  private final String parameter;
  private final String missing;

  AlarmSchedule(String action, String parameter, String missing) {
    this.action = action;
    this.parameter = parameter;
    this.missing = missing;
  }

  /** The feed action's name in the whiskfeed package. */
  String action() {
    return action;
  }

  /** The parameter that makes this schedule. */
  String parameter() {
    return parameter;
  }

  @Override
  public void check(LifecycleEvent event, JsonObject params) throws FeedActionException {
    if (event != LifecycleEvent.CREATE && event != LifecycleEvent.UPDATE) {
      return;
    }
    for (AlarmSchedule other : values()) {
      if (other != this && given(params.get(other.parameter))) {
        throw new FeedActionException("the " + action + " feed does not take the " + other.parameter
            + " parameter: " + other.parameter + " belongs to the " + other.action + " feed");
      }
    }
    if (event == LifecycleEvent.CREATE && !given(params.get(parameter))) {
      throw new FeedActionException(missing);
    }
  }

  /** Absent, null and blank strings count as not given, as the package's {@code !params.x}. */
  private static boolean given(JsonElement value) {
    if (value == null || value.isJsonNull()) {
      return false;
    }
    if (value instanceof JsonPrimitive && ((JsonPrimitive) value).isString()) {
      return !Text.isBlank(value.getAsString());
    }
    return true;
  }
}
