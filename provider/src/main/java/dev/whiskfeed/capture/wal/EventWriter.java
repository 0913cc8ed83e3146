package dev.whiskfeed.capture.wal;

import dev.whiskfeed.store.Doorbell;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;

/**
 * Stores decoded changes as events in the control database's event store: one statement and one
 * commit per batch, with a durable commit (the slot is confirmed past these changes only after it).
 * An event whose id is already stored (a change decoded again after a crash) is skipped, never
 * stored twice: a batch is first stored with a plain INSERT, and only when that meets a stored id
 * (a unique violation, after a crash) again with {@code ON CONFLICT DO NOTHING}, whose speculative
 * insertion costs a second WAL record and an index probe per row. A large batch (a backlog) is
 * stored with COPY, the doorbell then rung by a statement of its own. Rings the store's doorbell
 * when delivery armed it, like every other event writer.
 */
final class EventWriter implements AutoCloseable {
  private static final String INSERT = insert("");
  private static final String INSERT_NEW = insert("ON CONFLICT (id) DO NOTHING");

  private static String insert(String onConflict) {
    return """
      WITH ins AS (
        INSERT INTO whiskfeed.events (id, feed_id, op, payload, created_at)
        SELECT * FROM ROWS FROM (pg_catalog.unnest(?::uuid[]), pg_catalog.unnest(?::bigint[]), pg_catalog.unnest(?::text[]),
                                 pg_catalog.unnest(?::text[]::jsonb[]), pg_catalog.unnest(?::timestamptz[]))
        %s
        RETURNING 1),
      %s
      SELECT (SELECT count(*) FROM ins) AS stored, (SELECT count(*) FROM rang) AS rang""".formatted(onConflict,
        Doorbell.RING_AFTER);
  }

  private static final String COPY = "COPY whiskfeed.events (id, feed_id, op, payload, created_at) FROM STDIN";

  /** One event to store. {@code createdAt}: the change's commit time, ISO 8601. */
  record Event(UUID id, long feedId, String op, String payload, String createdAt) {}

  private final Connection control;
  private final PreparedStatement insert;
  private PreparedStatement insertNew;
  private PreparedStatement ring;
  /** Batches of at least this many events are stored with COPY ({@code -Dwhiskfeed.wal.copyMin}, the benchmarks' A/B). */
  private final int copyMin = Integer.getInteger("whiskfeed.wal.copyMin", 64);

  EventWriter(Connection control) throws SQLException {
    this.control = control;
    control.setAutoCommit(false);
    // -Dwhiskfeed.wal.onConflictAlways=true: every batch as a possible replay (the benchmarks' A/B)
    this.insert = control.prepareStatement(Boolean.getBoolean("whiskfeed.wal.onConflictAlways") ? INSERT_NEW : INSERT);
  }

  /** Stores {@code events} in one transaction; returns how many were new. */
  int write(List<Event> events) throws SQLException {
    try {
      int stored;
      try {
        if (events.size() >= copyMin) {
          stored = (int) copy(events);
          if (stored > 0) ring();
        } else {
          stored = execute(insert, arrays(events));
        }
      } catch (SQLException e) {
        if (!"23505".equals(e.getSQLState())) throw e;
        // some of these changes were stored before (decoded again after a crash): store the others
        control.rollback();
        if (insertNew == null) insertNew = control.prepareStatement(INSERT_NEW);
        stored = execute(insertNew, arrays(events));
      }
      control.commit();
      return stored;
    } catch (SQLException e) {
      try {
        control.rollback();
      } catch (SQLException ignored) {
        // the connection is broken; the caller starts over
      }
      throw e;
    }
  }

  private Array[] arrays(List<Event> events) throws SQLException {
    int n = events.size();
    UUID[] ids = new UUID[n];
    Long[] feeds = new Long[n];
    String[] ops = new String[n];
    String[] payloads = new String[n];
    String[] times = new String[n];
    for (int i = 0; i < n; i++) {
      Event e = events.get(i);
      ids[i] = e.id();
      feeds[i] = e.feedId();
      ops[i] = e.op();
      payloads[i] = e.payload();
      times[i] = e.createdAt();
    }
    return new Array[] {array("uuid", ids), array("int8", feeds), array("text", ops), array("text", payloads),
        array("text", times)};
  }

  /** A large batch in COPY's text format: no array literals to build and parse, one pass over each value. */
  private long copy(List<Event> events) throws SQLException {
    StringBuilder b = new StringBuilder(events.size() * 256);
    for (Event e : events) {
      b.append(e.id()).append('\t').append(e.feedId()).append('\t').append(e.op()).append('\t');
      String p = e.payload();
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> b.append(c);
        }
      }
      b.append('\t').append(e.createdAt()).append('\n');
    }
    byte[] data = b.toString().getBytes(StandardCharsets.UTF_8);
    try {
      return control.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new ByteArrayInputStream(data));
    } catch (IOException e) {
      throw new SQLException("COPY of events failed", e);
    }
  }

  /** What the INSERT's CTE does for a small batch: rings the doorbell when delivery armed it. */
  private void ring() throws SQLException {
    if (ring == null) ring = control.prepareStatement(Doorbell.RING);
    try (ResultSet rs = ring.executeQuery()) {
      while (rs.next()) {
        // the NOTIFY is sent on commit
      }
    }
  }

  private static int execute(PreparedStatement statement, Array[] arrays) throws SQLException {
    for (int i = 0; i < arrays.length; i++) statement.setArray(i + 1, arrays[i]);
    try (ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getInt("stored");
    }
  }

  private Array array(String type, Object[] values) throws SQLException {
    return control.createArrayOf(type, values);
  }

  @Override
  public void close() throws SQLException {
    control.close();
  }
}
