package dev.whiskfeed.it;

/** Every case of {@link ChangesFeedIT} with the changes read from the write-ahead log ({@code capture: wal}). */
class ChangesFeedWalIT extends ChangesFeedIT {
  @Override
  String capture() {
    return "wal";
  }
}
