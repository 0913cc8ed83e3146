package dev.whiskfeed.it;

/** Every case of {@link HasuraPayloadIT} with the changes read from the write-ahead log ({@code capture: wal}). */
class HasuraPayloadWalIT extends HasuraPayloadIT {
  @Override
  String capture() {
    return "wal";
  }
}
