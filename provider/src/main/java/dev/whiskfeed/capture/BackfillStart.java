package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.store.BackfillRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What starting a backfill checks and records, at CREATE with {@code backfill: true} or on
 * {@code POST …/backfill}: the table has a primary key, the request's {@code where} fits the table
 * and is ANDed with the feed's own into one SQL predicate, and the run's total is taken. The rows
 * themselves are read by {@link Backfills}.
 */
final class BackfillStart {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillStart.class);

  private final BackfillRepository backfillRuns = new BackfillRepository();

  /** Backfill reads in primary-key chunks: a table without a primary key → 400. */
  static Future<List<BackfillQuery.KeyColumn>> requirePrimaryKey(SqlClient c, TableName table) {
    return Catalog.primaryKey(c, table).map(pk -> {
      if (pk.isEmpty()) {
        throw WhiskfeedException.invalid("table " + table.display() + " has no primary key: backfill reads a table "
            + "in primary-key order (ALTER TABLE " + table.display() + " ADD PRIMARY KEY (…)), or leave backfill out");
      }
      return pk;
    });
  }

  /**
   * Starts the feed's next backfill run on {@code table}, read through {@code reader}: its
   * filter checked, its total counted now (exact up to {@link #EXACT_COUNT_MAX} rows, the planner's
   * estimate above), the run recorded in {@code controlTx}. False when one is running already.
   */
  Future<Boolean> start(SqlConnection controlTx, Future<SqlClient> reader, Feed feed, TableName table, Object where) {
    RowFilter asked = RowFilter.parse(where); // its form first: a 400 before any database is asked
    return reader
        .compose(c -> requirePrimaryKey(c, table)
            .compose(pk -> backfillPredicate(c, feed, table, asked))
            .compose(predicate -> total(c, table, predicate).compose(total ->
                backfillRuns.start(controlTx, feed.id(), predicate, total))))
        .map(started -> {
          started.ifPresent(b -> LOG.info("{} {} {} {}", kv("event", "backfill.requested"),
              kv("feed", feed.feedId().toString()), kv("run", b.run()), kv("total", b.total())));
          return started.isPresent();
        });
  }

  /** The row a backfill's filter reads: the chunk query's alias of the table, as in the capture function. */
  private static final String BACKFILL_ROW = "r";

  /**
   * The rows a backfill emits: those matching the feed's own {@code where} (as capture filters an
   * INSERT) and the request's, checked against the catalog like the feed's; null for every row.
   */
  private static Future<String> backfillPredicate(SqlClient c, Feed feed, TableName name, RowFilter asked) {
    RowFilter own = RowFilter.stored(feed.config());
    if (own == null && asked == null) return Future.succeededFuture(null);
    return Catalog.table(c, name).compose(found -> {
      Catalog.Table t = found.orElseThrow(() -> WhiskfeedException.invalid("table " + name.display() + " does not exist"));
      return ChangesRules.checkFilter(c, asked, t).compose(checked -> Catalog.columnTypes(c, t).map(types -> {
        List<String> parts = new ArrayList<>();
        for (RowFilter f : java.util.Arrays.asList(own, checked)) {
          if (f == null) continue;
          var columns = FilterCheck.columns(f, types.byName(), t.tableName().display());
          parts.add(FilterSql.predicate(f, columns, BACKFILL_ROW, types.unicodeLower()));
        }
        return String.join(" AND ", parts);
      }));
    });
  }

  /** Above this many rows (by the planner's estimate) a backfill's total is that estimate, not a count. */
  static final long EXACT_COUNT_MAX = 1_000_000;

  private static final String ESTIMATE = "SELECT c.reltuples::bigint AS n FROM pg_catalog.pg_class c "
      + "WHERE c.oid = pg_catalog.to_regclass($1)";

  private static Future<Long> total(SqlClient c, TableName table, String predicate) {
    return c.preparedQuery(ESTIMATE).execute(Tuple.of(Sql.qualified(table.schema(), table.name())))
        .compose(rows -> {
          Long estimate = rows.size() == 0 ? null : rows.iterator().next().getLong("n");
          if (estimate != null && estimate > EXACT_COUNT_MAX) return Future.succeededFuture(estimate);
          return c.query(BackfillQuery.count(table, predicate)).execute().map(r -> r.iterator().next().getLong("n"));
        });
  }

}
