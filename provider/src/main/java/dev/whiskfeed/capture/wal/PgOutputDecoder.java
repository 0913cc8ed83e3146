package dev.whiskfeed.capture.wal;

import dev.whiskfeed.capture.wal.PgOutput.Begin;
import dev.whiskfeed.capture.wal.PgOutput.Column;
import dev.whiskfeed.capture.wal.PgOutput.Commit;
import dev.whiskfeed.capture.wal.PgOutput.Delete;
import dev.whiskfeed.capture.wal.PgOutput.Insert;
import dev.whiskfeed.capture.wal.PgOutput.LogicalMessage;
import dev.whiskfeed.capture.wal.PgOutput.Message;
import dev.whiskfeed.capture.wal.PgOutput.Origin;
import dev.whiskfeed.capture.wal.PgOutput.Relation;
import dev.whiskfeed.capture.wal.PgOutput.Truncate;
import dev.whiskfeed.capture.wal.PgOutput.Tuple;
import dev.whiskfeed.capture.wal.PgOutput.Type;
import dev.whiskfeed.capture.wal.PgOutput.Update;
import dev.whiskfeed.capture.wal.PgOutput.Value;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes one {@code pgoutput} message, protocol version 1, the layouts of the Postgres manual's
 * "Logical Replication Message Formats" (unchanged from 14 to 17).
 *
 * <p>The input is what pgjdbc's {@code PGReplicationStream.read()} returns: the message alone, from
 * the buffer's position to its limit, usually a slice of a larger array. The buffer itself is not
 * moved. Strings and text values are read as UTF-8: Postgres converts them to the connection's
 * {@code client_encoding}, which pgjdbc sets to UTF8.
 *
 * <p>Stream messages (S, E, c, A) exist only from protocol version 2 and two-phase ones (b, P, K,
 * r, p) from version 3; they also change the layouts here (an xid after the type byte), so they are
 * rejected like any unknown type rather than misread. A message that ends early or has bytes left
 * over is rejected for the same reason: it is not the layout this decoder knows.
 */
public final class PgOutputDecoder {
  private PgOutputDecoder() {}

  /**
   * The message between {@code buffer}'s position and limit.
   *
   * @throws IllegalArgumentException for an unknown message type (naming its byte), a truncated
   *     message, or one with bytes left over
   */
  public static Message decode(ByteBuffer buffer) {
    ByteBuffer in = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    if (!in.hasRemaining()) throw new IllegalArgumentException("empty pgoutput message");
    byte type = in.get();
    Message message;
    try {
      message = decode(type, in);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("pgoutput message " + describe(type) + " ends early", e);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "pgoutput message " + describe(type) + " has " + in.remaining() + " bytes left over");
    }
    return message;
  }

  private static Message decode(byte type, ByteBuffer in) {
    return switch (type) {
      case 'B' -> new Begin(in.getLong(), in.getLong(), in.getInt());
      case 'C' -> new Commit(Byte.toUnsignedInt(in.get()), in.getLong(), in.getLong(), in.getLong());
      case 'O' -> new Origin(in.getLong(), string(in));
      case 'R' -> relation(in);
      case 'Y' -> new Type(in.getInt(), string(in), string(in));
      case 'I' -> new Insert(in.getInt(), tupleAfter('N', in));
      case 'U' -> update(in);
      case 'D' -> delete(in);
      case 'T' -> truncate(in);
      case 'M' -> logicalMessage(in);
      default -> throw new IllegalArgumentException("unknown pgoutput message type " + describe(type)
          + " (protocol version 1 has B C O R Y I U D T M)");
    };
  }

  private static Relation relation(ByteBuffer in) {
    int oid = in.getInt();
    String schema = string(in);
    String name = string(in);
    char replicaIdentity = (char) in.get();
    Column[] columns = new Column[Short.toUnsignedInt(in.getShort())];
    for (int i = 0; i < columns.length; i++) {
      boolean key = (in.get() & 1) != 0;
      columns[i] = new Column(key, string(in), in.getInt(), in.getInt());
    }
    return new Relation(oid, schema, name, replicaIdentity, List.of(columns));
  }

  private static Update update(ByteBuffer in) {
    int relationOid = in.getInt();
    byte part = in.get();
    if (part == 'N') return new Update(relationOid, null, false, tuple(in));
    if (part != 'K' && part != 'O') throw unexpectedPart("Update", "K, O or N", part);
    Tuple old = tuple(in);
    return new Update(relationOid, old, part == 'K', tupleAfter('N', in));
  }

  private static Delete delete(ByteBuffer in) {
    int relationOid = in.getInt();
    byte part = in.get();
    if (part != 'K' && part != 'O') throw unexpectedPart("Delete", "K or O", part);
    return new Delete(relationOid, tuple(in), part == 'K');
  }

  private static Truncate truncate(ByteBuffer in) {
    int count = in.getInt();
    int options = Byte.toUnsignedInt(in.get());
    // Checked before allocating, so a corrupt count fails here instead of asking for gigabytes.
    if (count < 0 || count > in.remaining() / Integer.BYTES) {
      throw new IllegalArgumentException("pgoutput Truncate names " + Integer.toUnsignedLong(count)
          + " relations in " + in.remaining() + " bytes");
    }
    Integer[] oids = new Integer[count];
    for (int i = 0; i < count; i++) oids[i] = in.getInt();
    return new Truncate(options, List.of(oids));
  }

  private static LogicalMessage logicalMessage(ByteBuffer in) {
    boolean transactional = (in.get() & 1) != 0;
    long lsn = in.getLong();
    String prefix = string(in);
    byte[] content = new byte[length(in)];
    in.get(content);
    return new LogicalMessage(transactional, lsn, prefix, content);
  }

  private static Tuple tupleAfter(char expected, ByteBuffer in) {
    byte part = in.get();
    if (part != expected) throw unexpectedPart("tuple", String.valueOf(expected), part);
    return tuple(in);
  }

  private static Tuple tuple(ByteBuffer in) {
    Value[] values = new Value[Short.toUnsignedInt(in.getShort())];
    for (int i = 0; i < values.length; i++) values[i] = value(in);
    return new Tuple(List.of(values));
  }

  private static Value value(ByteBuffer in) {
    byte kind = in.get();
    switch (kind) {
      case 'n':
        return Value.NULL;
      case 'u':
        return Value.UNCHANGED_TOAST;
      case 't':
        return Value.text(utf8(in, length(in)));
      case 'b':
        byte[] bytes = new byte[length(in)];
        in.get(bytes);
        return Value.binary(bytes);
      default:
        throw unexpectedPart("column value", "n, u, t or b", kind);
    }
  }

  /** A length field, checked against what is left so a corrupt one fails as a short message. */
  private static int length(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) throw new BufferUnderflowException();
    return length;
  }

  /** A NUL-terminated string; the position ends after the NUL. */
  private static String string(ByteBuffer in) {
    int start = in.position();
    int end = start;
    while (end < in.limit() && in.get(end) != 0) end++;
    if (end == in.limit()) throw new BufferUnderflowException(); // no NUL: the message ends inside the string
    String s = utf8(in, end - start);
    in.get(); // the NUL
    return s;
  }

  /** {@code length} bytes at the position as UTF-8, straight from the backing array when there is one. */
  private static String utf8(ByteBuffer in, int length) {
    String s;
    if (in.hasArray()) {
      s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
      in.position(in.position() + length);
    } else {
      byte[] bytes = new byte[length];
      in.get(bytes);
      s = new String(bytes, StandardCharsets.UTF_8);
    }
    return s;
  }

  private static IllegalArgumentException unexpectedPart(String where, String expected, byte found) {
    return new IllegalArgumentException(
        "pgoutput " + where + ": expected " + expected + ", found " + describe(found));
  }

  /** {@code 'S' (0x53)}, or just the hex for a byte that is not printable ASCII. */
  static String describe(byte b) {
    String hex = String.format("0x%02X", b & 0xFF);
    return b >= 0x20 && b < 0x7F ? "'" + (char) b + "' (" + hex + ")" : hex;
  }
}
