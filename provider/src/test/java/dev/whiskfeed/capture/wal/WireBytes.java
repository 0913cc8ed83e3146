package dev.whiskfeed.capture.wal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds pgoutput messages byte by byte, big-endian, as the manual lays them out; the tests spell
 * each field so a layout mistake in the decoder cannot hide behind a shared encoder.
 */
final class WireBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static WireBytes message(int type) {
    return new WireBytes().int8(type);
  }

  WireBytes int8(int v) {
    out.write(v);
    return this;
  }

  WireBytes int16(int v) {
    return int8(v >>> 8).int8(v);
  }

  WireBytes int32(int v) {
    return int16(v >>> 16).int16(v);
  }

  WireBytes int64(long v) {
    return int32((int) (v >>> 32)).int32((int) v);
  }

  /** A NUL-terminated UTF-8 string. */
  WireBytes string(String s) {
    return raw(s.getBytes(StandardCharsets.UTF_8)).int8(0);
  }

  WireBytes raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** TupleData's header: the number of column values that follow. */
  WireBytes tuple(int columns) {
    return int16(columns);
  }

  WireBytes nullValue() {
    return int8('n');
  }

  WireBytes unchangedToast() {
    return int8('u');
  }

  WireBytes text(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return int8('t').int32(bytes.length).raw(bytes);
  }

  WireBytes binary(byte[] bytes) {
    return int8('b').int32(bytes.length).raw(bytes);
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** The message alone in a fresh buffer, position 0. */
  ByteBuffer buffer() {
    return ByteBuffer.wrap(bytes());
  }
}
