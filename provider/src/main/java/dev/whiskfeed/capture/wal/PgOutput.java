package dev.whiskfeed.capture.wal;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The messages of Postgres's {@code pgoutput} logical replication plugin, protocol version 1 (text
 * tuples, or binary ones when the slot is started with {@code binary 'true'}), as
 * {@link PgOutputDecoder} reads them.
 *
 * <p>OIDs and xids are unsigned 32-bit numbers on the wire and are kept as {@code int}; use
 * {@link Integer#toUnsignedLong} to print or compare them. LSNs are {@code long}s, printed by
 * {@link #lsnText}; timestamps are microseconds since 2000-01-01 UTC, converted by {@link #instant}.
 */
public final class PgOutput {
  /** 2000-01-01T00:00:00Z in Unix seconds: Postgres's epoch. */
  private static final long PG_EPOCH_SECONDS = 946_684_800L;

  private PgOutput() {}

  /** The LSN as Postgres prints it: two hex halves without zero padding, {@code 16/B374D848}. */
  public static String lsnText(long lsn) {
    String high = Long.toHexString(lsn >>> 32);
    String low = Long.toHexString(lsn & 0xFFFF_FFFFL);
    return (high + "/" + low).toUpperCase(Locale.ROOT);
  }

  /** A Postgres timestamp (microseconds since 2000-01-01 UTC) as an instant. */
  public static Instant instant(long pgEpochMicros) {
    return Instant.ofEpochSecond(
        PG_EPOCH_SECONDS + Math.floorDiv(pgEpochMicros, 1_000_000L),
        Math.floorMod(pgEpochMicros, 1_000_000L) * 1_000L);
  }

  /** One decoded message. */
  public sealed interface Message
      permits Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate, LogicalMessage {}

  /** 'B': a transaction starts; its changes follow, then its {@link Commit}. */
  public record Begin(long finalLsn, long commitTimeMicros, int xid) implements Message {
    public Instant commitTime() {
      return instant(commitTimeMicros);
    }
  }

  /** 'C': the transaction is committed; {@code endLsn} is where a slot may be confirmed up to. */
  public record Commit(int flags, long commitLsn, long endLsn, long commitTimeMicros) implements Message {
    public Instant commitTime() {
      return instant(commitTimeMicros);
    }
  }

  /** 'O': the transaction was replicated here from another origin. */
  public record Origin(long lsn, String name) implements Message {}

  /**
   * 'R': the shape of a table, sent before its first change in a session and again after it
   * changes; later changes name it only by OID. {@code schema} is empty for {@code pg_catalog};
   * {@code replicaIdentity} is {@code relreplident}: {@code d}efault, {@code n}othing, {@code f}ull
   * or {@code i}ndex.
   */
  public record Relation(int oid, String schema, String name, char replicaIdentity, List<Column> columns)
      implements Message {
    public Relation {
      columns = List.copyOf(columns);
    }
  }

  /** A column of a {@link Relation}; {@code key} when it is part of the replica identity. */
  public record Column(boolean key, String name, int typeOid, int typeModifier) {}

  /** 'Y': a type outside {@code pg_catalog} that a following relation uses. */
  public record Type(int oid, String schema, String name) implements Message {}

  /** 'I'. */
  public record Insert(int relationOid, Tuple newTuple) implements Message {}

  /**
   * 'U'. {@code oldTuple} is the full old row ('O', replica identity full), the old key alone
   * ('K', when the update changed it; then {@code oldIsKeyOnly}), or null.
   */
  public record Update(int relationOid, Tuple oldTuple, boolean oldIsKeyOnly, Tuple newTuple) implements Message {}

  /** 'D'. {@code oldTuple} is the full old row ('O') or its key ('K', {@code oldIsKeyOnly}). */
  public record Delete(int relationOid, Tuple oldTuple, boolean oldIsKeyOnly) implements Message {}

  /** 'T': one TRUNCATE statement over one or more tables. */
  public record Truncate(int options, List<Integer> relationOids) implements Message {
    public static final int CASCADE = 1;
    public static final int RESTART_IDENTITY = 2;

    public Truncate {
      relationOids = List.copyOf(relationOids);
    }
  }

  /** 'M': what {@code pg_logical_emit_message} wrote. */
  public record LogicalMessage(boolean transactional, long lsn, String prefix, byte[] content) implements Message {
    @Override
    public boolean equals(Object o) {
      return o instanceof LogicalMessage m && transactional == m.transactional && lsn == m.lsn
          && prefix.equals(m.prefix) && Arrays.equals(content, m.content);
    }

    @Override
    public int hashCode() {
      return Objects.hash(transactional, lsn, prefix, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
      return "LogicalMessage[transactional=" + transactional + ", lsn=" + lsnText(lsn) + ", prefix=" + prefix
          + ", content=" + content.length + " bytes]";
    }
  }

  /** A row's column values, in the order of its {@link Relation}'s columns. */
  public record Tuple(List<Value> values) {
    public Tuple {
      // Free when the decoder hands an immutable list, as it does.
      values = List.copyOf(values);
    }

    public int size() {
      return values.size();
    }

    public Value get(int column) {
      return values.get(column);
    }
  }

  /** How a {@link Value} was sent. */
  public enum Kind {
    /** 'n': SQL NULL. */
    NULL,
    /** 'u': a TOASTed value the change did not touch; the old value still holds. */
    UNCHANGED_TOAST,
    /** 't': the type's text output. */
    TEXT,
    /** 'b': the type's binary send format. */
    BINARY
  }

  /**
   * One column value. NULL and unchanged-TOAST values are shared constants, so a tuple costs one
   * object per non-null column. {@code text} is set only for TEXT, {@code bytes} only for BINARY
   * (the decoder's own copy; do not modify it).
   */
  public record Value(Kind kind, String text, byte[] bytes) {
    public static final Value NULL = new Value(Kind.NULL, null, null);
    public static final Value UNCHANGED_TOAST = new Value(Kind.UNCHANGED_TOAST, null, null);

    public Value {
      Objects.requireNonNull(kind, "kind");
      if ((text != null) != (kind == Kind.TEXT) || (bytes != null) != (kind == Kind.BINARY)) {
        throw new IllegalArgumentException(kind + " value with text " + (text != null) + ", bytes " + (bytes != null));
      }
    }

    public static Value text(String text) {
      return new Value(Kind.TEXT, Objects.requireNonNull(text, "text"), null);
    }

    public static Value binary(byte[] bytes) {
      return new Value(Kind.BINARY, null, Objects.requireNonNull(bytes, "bytes"));
    }

    public boolean isNull() {
      return kind == Kind.NULL;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Value v && kind == v.kind && Objects.equals(text, v.text) && Arrays.equals(bytes, v.bytes);
    }

    @Override
    public int hashCode() {
      return Objects.hash(kind, text, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
      return switch (kind) {
        case NULL, UNCHANGED_TOAST -> kind.name();
        case TEXT -> "TEXT[" + text + "]";
        case BINARY -> "BINARY[" + bytes.length + " bytes]";
      };
    }
  }
}
