package dev.whiskfeed.capture.wal;

import dev.whiskfeed.capture.ChangesParams.Op;
import dev.whiskfeed.capture.RowFilter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What the slot reader needs of one WAL-captured feed: its table as the catalog spells it, the
 * operations, the columns whose change makes an UPDATE fire and the columns the payload carries
 * (empty = all), and its row filter (null = none), as in trigger capture ({@code CaptureSpec}).
 */
public record WalFeed(long id, String schema, String table, Set<Op> events, List<String> columns,
                      List<String> payloadColumns, RowFilter where) {
  public WalFeed(long id, String schema, String table, Set<Op> events, List<String> columns,
                 List<String> payloadColumns) {
    this(id, schema, table, events, columns, payloadColumns, null);
  }

  public WalFeed {
    events = events.isEmpty() ? EnumSet.noneOf(Op.class) : EnumSet.copyOf(events);
    columns = List.copyOf(columns);
    payloadColumns = List.copyOf(payloadColumns);
  }
}
