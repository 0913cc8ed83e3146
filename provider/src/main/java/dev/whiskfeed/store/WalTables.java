package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code whiskfeed.wal_tables}: which WAL-captured feeds read which table of which source, and the
 * replica identity each table had before whiskfeed made it FULL. The caller passes the lifecycle's
 * transaction, so a feed row and its registration commit together.
 */
public final class WalTables {
  private static final String REGISTER = """
      INSERT INTO whiskfeed.wal_tables (source, table_oid, schema_name, table_name, feeds, previous_identity)
      VALUES ($1, $2, $3, $4, ARRAY[$5::bigint], $6)
      ON CONFLICT (source, table_oid) DO UPDATE
      SET feeds = CASE WHEN $5::bigint = ANY (whiskfeed.wal_tables.feeds) THEN whiskfeed.wal_tables.feeds
                       ELSE whiskfeed.wal_tables.feeds || $5::bigint END,
          schema_name = EXCLUDED.schema_name, table_name = EXCLUDED.table_name""";
  private static final String UNREGISTER =
      "UPDATE whiskfeed.wal_tables SET feeds = pg_catalog.array_remove(feeds, $2::bigint) WHERE source = $1 AND $2::bigint = ANY (feeds)";
  private static final String RELEASE = """
      DELETE FROM whiskfeed.wal_tables WHERE source = $1 AND pg_catalog.cardinality(feeds) = 0
      RETURNING table_oid, previous_identity""";
  private static final String SOURCES = "SELECT DISTINCT source FROM whiskfeed.wal_tables";

  /** A table no feed reads any more: give it back its replica identity. */
  public record Released(long tableOid, String previousIdentity) {}

  public Future<Void> register(SqlClient tx, String source, long tableOid, String schema, String table, long feedId,
                               String previousIdentity) {
    return tx.preparedQuery(REGISTER).execute(Tuple.of(source, tableOid, schema, table, feedId, previousIdentity))
        .mapEmpty();
  }

  /** Removes the feed from its tables; returns the tables it was the last feed of. */
  public Future<List<Released>> unregister(SqlClient tx, String source, long feedId) {
    return tx.preparedQuery(UNREGISTER).execute(Tuple.of(source, feedId))
        .compose(v -> tx.preparedQuery(RELEASE).execute(Tuple.of(source)))
        .map(rows -> {
          List<Released> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Released(r.getLong("table_oid"), r.getString("previous_identity"))));
          return out;
        });
  }

  /** The sources some WAL feed reads (store names). */
  public Future<Set<String>> sources(SqlClient c) {
    return c.query(SOURCES).execute().map(rows -> {
      Set<String> out = new HashSet<>();
      rows.forEach(r -> out.add(r.getString("source")));
      return out;
    });
  }
}
