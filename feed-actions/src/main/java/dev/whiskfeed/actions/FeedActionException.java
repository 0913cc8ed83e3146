package dev.whiskfeed.actions;

/** An expected failure; its message becomes the action's {@code {"error": …}} result. */
final class FeedActionException extends Exception {
  FeedActionException(String message) {
    super(message, null, false, false);
  }
}
