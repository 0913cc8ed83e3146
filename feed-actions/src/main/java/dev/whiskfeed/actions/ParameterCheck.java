package dev.whiskfeed.actions;

import com.google.gson.JsonObject;

/** What a feed action checks in the user's parameters before it calls the provider. */
interface ParameterCheck {
  /** Checks nothing: the provider validates the parameters of its kinds. */
  ParameterCheck NONE = (event, params) -> { };

  /**
   * @param params the user parameters (lifecycle and {@code __ow_} arguments removed)
   * @throws FeedActionException with the message the action answers
   */
  void check(LifecycleEvent event, JsonObject params) throws FeedActionException;
}
