package dev.whiskfeed.it;

/** Every case of {@link RowFilterIT} with the changes read from the write-ahead log ({@code capture: wal}). */
class RowFilterWalIT extends RowFilterIT {
  @Override
  String capture() {
    return "wal";
  }
}
