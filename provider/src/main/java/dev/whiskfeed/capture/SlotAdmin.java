package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.capture.wal.WalDdl;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.StoreRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What WAL capture does on a source database outside the lifecycle's transaction: whether the
 * source can serve it, making its publication and slot, and dropping them after the last feed.
 * Each step on a connection of its own, never the lifecycle's.
 */
final class SlotAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(SlotAdmin.class);
  /** Creating a slot waits for the transactions open at that moment; CREATE gives up after this long. */
  static final int SLOT_WAIT_SEC = 10;
  static final int MIN_VERSION = 140000;

  private final Vertx vertx;
  private final EventStores stores;

  SlotAdmin(Vertx vertx, EventStores stores) {
    this.vertx = vertx;
    this.stores = stores;
  }

  /** Why the source cannot serve WAL capture, or null when it can. */
  static Future<String> missing(SqlClient c) {
    return c.query(WalDdl.SUPPORT).execute().map(rows -> {
      Row r = rows.iterator().next();
      if (r.getInteger("version") < MIN_VERSION) {
        return "Postgres " + r.getInteger("version") / 10000 + " is too old for WAL capture; 14 or newer is needed";
      }
      if (!"logical".equals(r.getString("wal_level"))) {
        return "wal_level is " + r.getString("wal_level") + "; set wal_level = logical";
      }
      if (!Boolean.TRUE.equals(r.getBoolean("may_replicate"))) {
        return "whiskfeed's database role " + r.getString("role") + " may not replicate; ALTER ROLE "
            + Sql.displayIdentifier(r.getString("role")) + " REPLICATION";
      }
      return null;
    });
  }

  /** Column types of the table that WAL capture cannot print as trigger capture does (none: empty). */
  static Future<List<String>> unprintable(SqlClient c, TableName table) {
    return unprintable(c, List.of(table)).map(found -> found.getOrDefault(table, List.of()));
  }

  /** As {@link #unprintable(SqlClient, TableName)}, for several tables of one database in one query; a table with none is absent. */
  static Future<Map<TableName, List<String>>> unprintable(SqlClient c, List<TableName> tables) {
    Map<String, TableName> byName = new HashMap<>();
    for (TableName t : tables) byName.put(Sql.qualified(t.schema(), t.name()), t);
    if (byName.isEmpty()) return Future.succeededFuture(Map.of());
    return c.preparedQuery(WalDdl.UNPRINTABLE_TYPES).execute(Tuple.tuple().addArrayOfString(byName.keySet().toArray(String[]::new)))
        .map(rows -> {
          Map<TableName, List<String>> out = new HashMap<>();
          rows.forEach(r -> out.computeIfAbsent(byName.get(r.getString("tbl")), k -> new ArrayList<>()).add(r.getString("type")));
          return out;
        });
  }

  /**
   * The publication, then the slot, unless they exist. On a connection of its own, outside the
   * lifecycle's transaction: a new slot waits for every transaction holding an xid, and the
   * lifecycle's would be one of them once it wrote the feed row. Bounded: a long transaction on the
   * source turns into a 503, not a hung CREATE.
   */
  Future<Void> prepare(StoreRef ref) {
    DbUrl url = stores.url(ref);
    Future<PgConnection> connecting = Database.connect(vertx, url);
    return connecting.timeout(SourceDatabases.CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .compose(c -> prepare(c).eventually(c::close));
  }

  private Future<Void> prepare(SqlConnection c) {
    return c.query(WalDdl.CREATE_PUBLICATION).execute()
        .recover(e -> "42710".equals(Database.sqlState(e)) ? Future.succeededFuture() : Future.failedFuture(e))
        .compose(v -> c.query(WalDdl.SLOT_NAME).execute())
        .map(rows -> rows.iterator().next().getString("slot"))
        .compose(slot -> c.preparedQuery(WalDdl.SLOT_EXISTS).execute(Tuple.of(slot))
            .compose(found -> found.size() > 0 ? Future.succeededFuture() : createSlot(c, slot)));
  }

  private Future<Void> createSlot(SqlConnection c, String slot) {
    return c.query("SET statement_timeout = '" + SLOT_WAIT_SEC + "s'").execute()
        .compose(v -> c.query(WalDdl.VERSION).execute())
        .map(rows -> rows.iterator().next().getInteger("version") >= 170000 ? WalDdl.CREATE_FAILOVER_SLOT
            : WalDdl.CREATE_SLOT)
        .compose(create -> c.preparedQuery(create).execute(Tuple.of(slot)))
        .<Void>mapEmpty()
        .onSuccess(v -> LOG.info("{} {}", kv("event", "capture.slot.created"), kv("slot", slot)))
        .recover(e -> {
          String state = Database.sqlState(e);
          if ("42710".equals(state)) return Future.succeededFuture(); // another instance made it just now
          if ("57014".equals(state)) {
            return Future.failedFuture(new WhiskfeedException(ErrorCode.CAPTURE_UNAVAILABLE, "creating replication slot "
                + slot + " waited " + SLOT_WAIT_SEC + " s for transactions open on the source database; "
                + "try again when they are done"));
          }
          if ("53400".equals(state)) {
            return Future.failedFuture(WhiskfeedException.invalid("the source database has no free replication slot "
                + "(max_replication_slots); free one or raise the setting"));
          }
          return Future.failedFuture(e);
        });
  }

  /** Ends whatever consumes the source's slot, then drops it and the publication. */
  Future<Void> dropSlot(StoreRef ref) {
    DbUrl url = stores.url(ref);
    if (url == null) return Future.succeededFuture();
    return Database.connect(vertx, url)
        .compose(c -> c.query(WalDdl.SLOT_NAME).execute()
            .map(rows -> rows.iterator().next().getString("slot"))
            .compose(slot -> c.preparedQuery(WalDdl.RELEASE_SLOT).execute(Tuple.of(slot))
                .compose(v -> dropWhenReleased(c, slot, 20)))
            .compose(v -> c.query(WalDdl.DROP_PUBLICATION).execute().<Void>mapEmpty())
            .eventually(c::close))
        .onSuccess(v -> LOG.info("{} {}", kv("event", "capture.slot.dropped"), kv("store", ref.name())))
        .onFailure(e -> LOG.warn("{} {} {}", kv("event", "capture.slot.drop.failed"), kv("store", ref.name()),
            kv("error", String.valueOf(e.getMessage()))));
  }

  /** A terminated walsender releases its slot a moment later: try again for a few seconds. */
  private Future<Void> dropWhenReleased(SqlConnection c, String slot, int attempts) {
    return c.preparedQuery(WalDdl.DROP_SLOT).execute(Tuple.of(slot))
        .compose(rows -> c.preparedQuery(WalDdl.SLOT_EXISTS).execute(Tuple.of(slot)))
        .compose(left -> {
          if (left.size() == 0) return Future.succeededFuture();
          if (attempts <= 1) return Future.failedFuture("replication slot " + slot + " is still in use");
          return vertx.timer(250).compose(t -> c.preparedQuery(WalDdl.RELEASE_SLOT).execute(Tuple.of(slot)))
              .compose(t -> dropWhenReleased(c, slot, attempts - 1));
        });
  }
}
