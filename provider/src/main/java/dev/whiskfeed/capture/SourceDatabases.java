package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaching the database a changes feed captures from: the control database (inside the lifecycle's
 * transaction, so capture and the feed row commit together), a named source, or the feed's own
 * {@code database}. A database not yet opened as an event store is first looked at through one
 * short-lived connection, so a wrong URL fails fast with a message instead of a migration retry loop.
 */
final class SourceDatabases {
  private static final Logger LOG = LoggerFactory.getLogger(SourceDatabases.class);
  static final int CONNECT_TIMEOUT_MS = 5_000;
  /** DDL on a user's table waits at most this long for its lock, so writers never queue behind it for long. */
  static final String LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'";

  private final Vertx vertx;
  private final EventStores stores;

  SourceDatabases(Vertx vertx, EventStores stores) {
    this.vertx = vertx;
    this.stores = stores;
  }

  boolean hasSource(String name) {
    return stores.hasSource(name);
  }

  /** True when the referenced database is reached through a transaction pooler (its URL says {@code pooler=transaction}). */
  boolean behindTransactionPooler(dev.whiskfeed.store.StoreRef ref) {
    DbUrl url = stores.url(ref);
    return url != null && url.transactionPooler();
  }

  /**
   * Runs {@code work} on a connection to the feed's database, before it is an event store.
   * Returns the opened store after {@code work} succeeded.
   */
  <T> Future<T> inspect(ChangesParams p, SqlClient controlTx, Function<SqlClient, Future<T>> work,
                        java.util.function.Predicate<T> opensStore) {
    if (p.source() == null && p.database() == null) {
      return work.apply(controlTx != null ? controlTx : stores.control().pool());
    }
    var ready = stores.readyStore(p.databaseRef().name());
    if (ready.isPresent()) return work.apply(ready.get().pool());
    DbUrl url = p.source() != null ? stores.sources().get(p.source()) : DbUrl.parse(p.database());
    // a user's URL learns nothing of the network behind it (closed port, unknown name, wrong password
    // read alike); the operator finds the detail in the log
    String where = p.source() != null ? "source '" + p.source() + "'" : "the database";
    Future<PgConnection> connecting = Database.connect(vertx, url);
    return connecting.timeout(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(e -> {
          connecting.onSuccess(PgConnection::close); // late after a timeout: not leaked
          logFailure("database.connect.failed", p, url, e);
          return Future.failedFuture(WhiskfeedException.invalid("could not connect to " + where));
        })
        .compose(conn -> checkRights(conn).compose(v -> work.apply(conn)).eventually(conn::close))
        .compose(result -> !opensStore.test(result) ? Future.succeededFuture(result) : stores.open(p.databaseRef())
            .recover(e -> {
              logFailure("database.schema.failed", p, url, e);
              return Future.failedFuture(WhiskfeedException.invalid("could not install the whiskfeed schema in "
                  + where));
            })
            .map(result));
  }

  private static void logFailure(String event, ChangesParams p, DbUrl url, Throwable e) {
    LOG.warn("{} {} {}", kv("event", event), kv("database", p.source() != null ? "source:" + p.source() : url.masked()),
        kv("error", String.valueOf(e.getMessage())));
  }

  private static Future<Void> checkRights(SqlClient c) {
    return Catalog.rights(c).map(r -> {
      if (!r.schemaExists() && !r.mayCreateSchema()) {
        throw new WhiskfeedException(ErrorCode.FORBIDDEN, "whiskfeed's database role " + r.role()
            + " may not create schema whiskfeed in database " + r.database() + " (GRANT CREATE ON DATABASE "
            + Sql.displayIdentifier(r.database()) + " TO " + Sql.displayIdentifier(r.role()) + ")");
      }
      if (r.schemaExists() && !r.mayCreateInSchema()) {
        throw new WhiskfeedException(ErrorCode.FORBIDDEN, "whiskfeed's database role " + r.role()
            + " may not create objects in schema whiskfeed of database " + r.database()
            + " (GRANT CREATE, USAGE ON SCHEMA whiskfeed TO " + Sql.displayIdentifier(r.role()) + ")");
      }
      return null;
    });
  }

  /**
   * Runs {@code work} in a transaction on the feed's store: {@code controlTx} when the store is the
   * control database, else a transaction of the store's own pool.
   */
  <T> Future<T> inTransaction(SqlConnection controlTx, Feed feed, Function<SqlConnection, Future<T>> work) {
    if (feed.database().isControl()) {
      return controlTx.query(LOCK_TIMEOUT).execute().compose(v -> work.apply(controlTx));
    }
    return pool(feed).compose(pool -> pool.withTransaction(c -> c.query(LOCK_TIMEOUT).execute().compose(v -> work.apply(c))));
  }

  /** A connection-free client on the feed's database (the pool), for reads outside a transaction. */
  Future<SqlClient> client(Feed feed) {
    return pool(feed).map(p -> p);
  }

  /**
   * The pool of the feed's database. A trigger-captured feed's database is an event store (opened,
   * and migrated, on first use); a WAL-captured feed's is only read and given DDL, so it gets a
   * small pool of its own and no whiskfeed schema.
   */
  private Future<Pool> pool(Feed feed) {
    if (!feed.eventStore().equals(feed.database())) return stores.reach(feed.database());
    return stores.open(feed.database()).map(EventStore::pool);
  }

  /** A connection-free client on the store of the feed's events. */
  Future<SqlClient> eventClient(Feed feed) {
    return stores.open(feed.eventStore()).map(EventStore::pool);
  }
}
