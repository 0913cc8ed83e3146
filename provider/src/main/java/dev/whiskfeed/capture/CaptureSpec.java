package dev.whiskfeed.capture;

import dev.whiskfeed.capture.ChangesParams.Op;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What to install for one feed: its table as the catalog spells it, the operations, the columns
 * whose change makes an UPDATE fire and those the payload carries (empty = all), and whether the
 * trigger rings the store's doorbell ({@code mode: listen}) or never notifies ({@code mode: poll}),
 * and the row filter, if any.
 */
public record CaptureSpec(long feedId, String schema, String table, Set<Op> events, List<String> columns,
                          List<String> payloadColumns, boolean ringDoorbell, Filter filter) {
  /**
   * A row filter as SQL ({@link FilterSql}): {@code predicate} over the row's jsonb {@code x.j},
   * applied while {@code guard} (read once per statement) holds.
   */
  public record Filter(String predicate, String guard) {}

  public CaptureSpec(long feedId, String schema, String table, Set<Op> events, List<String> columns,
                     List<String> payloadColumns, boolean ringDoorbell) {
    this(feedId, schema, table, events, columns, payloadColumns, ringDoorbell, null);
  }

  public CaptureSpec {
    if (feedId <= 0) throw new IllegalArgumentException("feed id must be positive");
    if (events.isEmpty()) throw new IllegalArgumentException("no events");
    events = EnumSet.copyOf(events);
    columns = List.copyOf(columns);
    payloadColumns = List.copyOf(payloadColumns);
  }

  public TableName tableName() {
    return TableName.of(schema, table);
  }
}
