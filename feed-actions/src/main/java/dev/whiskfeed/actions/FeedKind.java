package dev.whiskfeed.actions;

/** The provider's feed kinds, as sent in the {@code kind} field of a CREATE. */
enum FeedKind {
  CHANGES("changes"),
  WEBHOOK("webhook"),
  ALARM("alarm");

  private final String wireName;

  FeedKind(String wireName) {
    this.wireName = wireName;
  }

  String wireName() {
    return wireName;
  }
}
