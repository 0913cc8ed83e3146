package dev.whiskfeed.capture.wal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Stores decoded changes as events in the control database's event store: one statement and one
 * commit per batch, with a durable commit (the slot is confirmed past these changes only after it).
 * An event whose id is already stored (a change decoded again after a crash) is skipped, never
 * stored twice: a batch is first stored with a plain INSERT, and only when that meets a stored id
 * (a unique violation, after a crash) again with {@code ON CONFLICT DO NOTHING}, whose speculative
 * insertion costs a second WAL record and an index probe per row. Rings the store's doorbell when delivery armed it, like every other event writer.
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
      rang AS (
        UPDATE whiskfeed.doorbell SET armed = false WHERE armed AND EXISTS (SELECT 1 FROM ins)
        RETURNING pg_catalog.pg_notify('whiskfeed_events', ''))
      SELECT (SELECT count(*) FROM ins) AS stored, (SELECT count(*) FROM rang) AS rang""".formatted(onConflict);
  }

  /** One event to store. {@code createdAt}: the change's commit time, ISO 8601. */
  record Event(UUID id, long feedId, String op, String payload, String createdAt) {}

  private final Connection control;
  private final PreparedStatement insert;
  private PreparedStatement insertNew;

  EventWriter(Connection control) throws SQLException {
    this.control = control;
    control.setAutoCommit(false);
    // -Dwhiskfeed.wal.onConflictAlways=true: every batch as a possible replay (the benchmarks' A/B)
    this.insert = control.prepareStatement(Boolean.getBoolean("whiskfeed.wal.onConflictAlways") ? INSERT_NEW : INSERT);
  }

  /** Stores {@code events} in one transaction; returns how many were new. */
  int write(List<Event> events) throws SQLException {
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
    try {
      Array[] arrays = {array("uuid", ids), array("int8", feeds), array("text", ops), array("text", payloads),
          array("text", times)};
      int stored;
      try {
        stored = execute(insert, arrays);
      } catch (SQLException e) {
        if (!"23505".equals(e.getSQLState())) throw e;
        // some of these changes were stored before (decoded again after a crash): store the others
        control.rollback();
        if (insertNew == null) insertNew = control.prepareStatement(INSERT_NEW);
        stored = execute(insertNew, arrays);
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
