package dev.whiskfeed.it;

/** Every case of {@link BackfillIT} with the changes read from the write-ahead log ({@code capture: wal}). */
class BackfillWalIT extends BackfillIT {
  @Override
  String capture() {
    return "wal";
  }
}
