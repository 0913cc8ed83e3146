package dev.whiskfeed.capture.wal;

import dev.whiskfeed.store.Doorbell;
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
 * stored twice. Rings the store's doorbell when delivery armed it, like every other event writer.
 */
final class EventWriter implements AutoCloseable {
  private static final String INSERT = """
      WITH ins AS (
        INSERT INTO whiskfeed.events (id, feed_id, op, payload, created_at)
        SELECT * FROM ROWS FROM (pg_catalog.unnest(?::uuid[]), pg_catalog.unnest(?::bigint[]), pg_catalog.unnest(?::text[]),
                                 pg_catalog.unnest(?::text[]::jsonb[]), pg_catalog.unnest(?::timestamptz[]))
        ON CONFLICT (id) DO NOTHING
        RETURNING 1),
      """ + Doorbell.RING_AFTER + """
      SELECT (SELECT count(*) FROM ins) AS stored, (SELECT count(*) FROM rang) AS rang""";

  /** One event to store. {@code createdAt}: the change's commit time, ISO 8601. */
  record Event(UUID id, long feedId, String op, String payload, String createdAt) {}

  private final Connection control;
  private final PreparedStatement insert;

  EventWriter(Connection control) throws SQLException {
    this.control = control;
    control.setAutoCommit(false);
    this.insert = control.prepareStatement(INSERT);
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
      insert.setArray(1, array("uuid", ids));
      insert.setArray(2, array("int8", feeds));
      insert.setArray(3, array("text", ops));
      insert.setArray(4, array("text", payloads));
      insert.setArray(5, array("text", times));
      int stored;
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        stored = rs.getInt("stored");
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

  private Array array(String type, Object[] values) throws SQLException {
    return control.createArrayOf(type, values);
  }

  @Override
  public void close() throws SQLException {
    control.close();
  }
}
