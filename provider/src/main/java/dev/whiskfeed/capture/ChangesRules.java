package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.capture.ChangesParams.Capture;
import dev.whiskfeed.capture.ChangesParams.Mode;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.EventStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code changes} kind: validates a feed against the source database's catalog, and installs,
 * replaces and removes its capture ({@link CaptureDdl}). CREATE and UPDATE install in the same
 * transaction as the feed row when the source is the control database; removing the last feed of a
 * table leaves the table as it was.
 */
public final class ChangesRules implements KindRules {
  private static final Logger LOG = LoggerFactory.getLogger(ChangesRules.class);

  private final SourceDatabases sources;
  private final WalCapture wal;
  private final SourceAccess access;
  private final EventRepository events = new EventRepository();
  private final BackfillStart backfillStart = new BackfillStart();
  private final Backfills backfills;

  public ChangesRules(Vertx vertx, dev.whiskfeed.store.EventStores stores, SourceAccess access) {
    this.sources = new SourceDatabases(vertx, stores);
    this.wal = new WalCapture(vertx, stores, sources);
    this.backfills = new Backfills(vertx, sources);
    this.access = access;
  }

  /** The runner of this provider's backfills. */
  public Backfills backfills() {
    return backfills;
  }

  public SourceAccess access() {
    return access;
  }

  SourceDatabases sources() {
    return sources;
  }

  public WalCapture wal() {
    return wal;
  }

  @Override
  public FeedKind kind() {
    return FeedKind.CHANGES;
  }

  @Override
  public Set<String> parameters() {
    return ChangesParams.NAMES;
  }

  @Override
  public Future<Validated> validate(ValidationInput input) {
    ChangesParams p = ChangesParams.parse(input.params(), input.changed(), input.secrets());
    boolean backfill = ChangesParams.backfill(input.params());
    if (!input.create() && input.changed().contains("backfill")) {
      throw WhiskfeedException.invalid("the backfill parameter applies to CREATE only; POST "
          + "/api/v1/feeds/{namespace}/{trigger}/backfill starts a backfill of an existing feed");
    }
    if (!input.create() && input.previous() != null
        && !input.previous().database().equals(p.databaseRef())) {
      throw WhiskfeedException.invalid("source and database cannot be changed by UPDATE; CREATE the feed again");
    }
    if (p.source() != null && !sources.hasSource(p.source())) {
      throw WhiskfeedException.invalid("unknown source '" + p.source() + "'");
    }
    if (sources.behindTransactionPooler(p.databaseRef())) requirePollable(p);
    // a feed created before its source was closed keeps working, until it is pointed at another table
    if (input.create() || input.changed().contains("table") || input.changed().contains("source")) {
      access.requireNamespace(p.databaseRef(), input.id().namespace());
    }
    Capture asked = capture(p, input);
    boolean checkHost = p.database() != null
        && (input.create() || input.changed().contains("database") || input.changed().contains("table"));
    Future<Void> hostAllowed = checkHost ? access.checkHost(p.database()) : Future.succeededFuture();
    return hostAllowed.compose(allowed -> sources.inspect(p, input.control(), c -> Catalog.table(c, p.table())
                .compose(table -> resolve(c, asked, table.orElse(null))
                    .compose(capture -> !backfill || table.isEmpty() ? Future.succeededFuture(capture)
                        : BackfillStart.requirePrimaryKey(c, table.get().tableName()).map(capture))
                    .compose(capture -> checkFilter(c, p.where(), table.orElse(null))
                        .map(where -> new Inspected(table.orElse(null), capture, where)))),
            inspected -> inspected.capture() == Capture.TRIGGER))
        .map(in -> new Inspected(CapturableTable.check(p, in.table(), in.capture()), in.capture(), in.where()))
        .compose(in -> in.capture() == Capture.WAL ? wal.prepare(p.databaseRef()).map(in) : Future.succeededFuture(in))
        .map(in -> validated(p, in.table(), in.capture(), in.where(), input.secrets()));
  }

  /** The stored form of the request's row filter, checked against the table's catalog; null without one. */
  static Future<RowFilter> checkFilter(SqlClient c, RowFilter where, Catalog.Table t) {
    if (where == null || t == null || !t.isTable()) return Future.succeededFuture(where);
    return Catalog.columnTypes(c, t)
        .compose(types -> FilterCheck.check(where, types.byName(), t.tableName().display(), caster(c)));
  }

  /** Casts a filter value in the feed's database, as a bound parameter: a value that is not of the type is a 400. */
  private static FilterCheck.Caster caster(SqlClient c) {
    return (text, type) -> c.preparedQuery("SELECT pg_catalog.to_jsonb(CAST($1::text AS " + type
            + ")) OPERATOR(pg_catalog.#>>) '{}' AS v").execute(io.vertx.sqlclient.Tuple.of(text))
        .map(rows -> rows.iterator().next().getString("v"))
        .recover(e -> {
          String state = Database.sqlState(e);
          if (state == null || !state.startsWith("22")) return Future.failedFuture(e);
          String why = e instanceof io.vertx.pgclient.PgException pg ? pg.getErrorMessage() : e.getMessage();
          return Future.failedFuture(WhiskfeedException.invalid("where: '" + text + "' is not a valid " + type
              + " (" + why + ")"));
        });
  }

  /**
   * Starts the feed's next backfill run ({@link BackfillStart}); its rows are read by
   * {@link Backfills} after the transaction commits, so after the feed's capture is live.
   */
  @Override
  public Future<Boolean> startBackfill(SqlConnection controlTx, Feed feed, Object where) {
    // on the control database the table may be locked by this very transaction (capture DDL): read through it
    Future<SqlClient> reader = feed.database().isControl() ? Future.succeededFuture(controlTx) : sources.client(feed);
    return backfillStart.start(controlTx, reader, feed, tableOf(feed), where);
  }

  /**
   * A database behind a transaction pooler passes neither a replication connection nor a LISTEN
   * connection: its feeds capture by trigger and poll.
   */
  private static void requirePollable(ChangesParams p) {
    String where = p.source() != null ? "source '" + p.source() + "'" : "the database";
    if (p.capture() == Capture.WAL) {
      throw WhiskfeedException.invalid("capture wal is not available on " + where + ": it is reached through a "
          + "transaction pooler (pooler=transaction), which passes no replication connection; use mode poll");
    }
    if (p.mode() != Mode.POLL) {
      throw WhiskfeedException.invalid("mode listen is not available on " + where + ": it is reached through a "
          + "transaction pooler (pooler=transaction), which cannot hold a LISTEN connection; use mode poll");
    }
  }

  private record Inspected(Catalog.Table table, Capture capture, RowFilter where) {}

  /**
   * The capture the request asks for. A feed keeps its mode: UPDATE cannot change it, and a CREATE
   * that replaces a feed keeps the old one's unless {@code capture} names the same mode again.
   */
  private static Capture capture(ChangesParams p, ValidationInput input) {
    if (input.previous() == null || input.previous().kind() != FeedKind.CHANGES) return p.capture();
    Capture kept = Capture.stored(input.previous().config());
    boolean named = input.changed().contains("capture") && p.capture() != Capture.AUTO;
    if (named && p.capture() != kept) {
      throw WhiskfeedException.invalid("capture cannot be changed on an existing feed (it is " + kept.wireName()
          + "); DELETE the feed and CREATE it again");
    }
    if (kept == Capture.WAL && p.mode() == Mode.POLL) {
      throw WhiskfeedException.invalid("mode poll applies to capture trigger only: WAL capture is never polled");
    }
    return kept;
  }

  /** {@code auto} becomes {@code wal} where the source allows it; an explicit {@code wal} it cannot serve is a 400 naming why. */
  private static Future<Capture> resolve(SqlClient c, Capture asked, Catalog.Table table) {
    if (asked == Capture.TRIGGER) return Future.succeededFuture(Capture.TRIGGER);
    Future<List<String>> types = table == null ? Future.succeededFuture(List.of())
        : SlotAdmin.unprintable(c, table.tableName());
    return SlotAdmin.missing(c).compose(missing -> types.map(unprintable -> {
      if (missing == null && unprintable.isEmpty()) return Capture.WAL;
      if (asked == Capture.WAL) {
        throw WhiskfeedException.invalid(missing != null ? "capture wal is not available on this database: " + missing
            : "capture wal cannot print column type" + (unprintable.size() > 1 ? "s " : " ")
                + String.join(", ", unprintable) + " of table " + table.tableName().display()
                + " as trigger capture does (a cast to json decides its JSON); use capture trigger");
      }
      return Capture.TRIGGER;
    }));
  }

  /** A stored WAL feed's table, checked again inside the installing transaction. */
  static Catalog.Table checkedWal(Feed feed, Catalog.Table t) {
    return CapturableTable.check(ChangesParams.parse(feed.kindConfig(), Set.of(), feed.secrets()), t, Capture.WAL);
  }

  private static Validated validated(ChangesParams p, Catalog.Table t, Capture capture, RowFilter where,
                                     JsonObject storedSecrets) {
    List<String> columns = CapturableTable.columns("columns", p.columns(), t);
    List<String> payloadColumns = CapturableTable.columns("payloadColumns", p.payloadColumns(), t);
    JsonObject config = new JsonObject()
        .put("table", t.tableName().display())
        .put("events", new JsonArray(p.events().stream().map(Enum::name).toList()));
    if (!columns.isEmpty()) config.put("columns", new JsonArray(columns));
    if (!payloadColumns.isEmpty()) config.put("payloadColumns", new JsonArray(payloadColumns));
    if (where != null) config.put("where", where.toJson());
    if (p.source() != null) config.put("source", p.source());
    if (p.database() != null) config.put("database", DbUrl.parse(p.database()).masked());
    config.put("capture", capture.wireName());
    config.put("mode", p.mode().wireName());
    if (p.mode() == Mode.POLL) config.put("pollIntervalSec", p.pollIntervalSec());
    JsonObject secrets = storedSecrets.copy();
    secrets.remove("database");
    if (p.database() != null) secrets.put("database", p.database());
    return new Validated(config, secrets, null);
  }

  /** What the installed capture of {@code feed} does, from its stored config, on the table {@code t}. */
  static CaptureSpec spec(Feed feed, Catalog.Table t) {
    ChangesParams p = ChangesParams.parse(feed.kindConfig(), Set.of(), feed.secrets());
    return new CaptureSpec(feed.id(), t.schema(), t.name(), p.events(), p.columns(), p.payloadColumns(),
        p.mode() == Mode.LISTEN);
  }

  /**
   * {@link #spec(Feed, Catalog.Table)} with the feed's row filter compiled against the table's
   * columns as they are now (a filter column gone, or now of a type its operator does not apply
   * to, fails the install with a 400).
   */
  static Future<CaptureSpec> spec(SqlClient c, Feed feed, Catalog.Table t) {
    CaptureSpec plain = spec(feed, t);
    RowFilter where = RowFilter.stored(feed.config());
    if (where == null) return Future.succeededFuture(plain);
    return Catalog.columnTypes(c, t).map(types -> {
      var columns = FilterCheck.columns(where, types.byName(), t.tableName().display());
      where.map(n -> n, (name, test) -> {
        if (!columns.get(name).type().allows(test.op())) {
          throw WhiskfeedException.invalid("where." + name + "." + test.op().wire() + ": column " + name + " is now "
              + columns.get(name).typeName() + "; UPDATE the feed's where");
        }
        return test;
      });
      return new CaptureSpec(plain.feedId(), plain.schema(), plain.table(), plain.events(), plain.columns(),
          plain.payloadColumns(), plain.ringDoorbell(), new CaptureSpec.Filter(
              FilterSql.predicate(where, columns, "r", types.unicodeLower()), FilterSql.guard(where, columns)));
    });
  }

  /** The table of a stored feed, checked again inside the installing transaction. */
  private static Catalog.Table checked(Feed feed, Catalog.Table t) {
    return CapturableTable.check(ChangesParams.parse(feed.kindConfig(), Set.of(), feed.secrets()), t, Capture.TRIGGER);
  }

  static TableName tableOf(Feed feed) {
    return TableName.parse(feed.config().getString("table"));
  }

  @Override
  public Future<Void> install(SqlConnection controlTx, Feed feed, Feed previous) {
    if (WalCapture.isWal(feed)) {
      TableName table = tableOf(feed);
      return wal.install(controlTx, feed, previous)
          .recover(e -> Future.failedFuture(explain(e, "capture " + table.display() + " from the WAL")))
          .onSuccess(v -> LOG.info("{} {} {} {}", kv("event", "capture.installed"), kv("feed", feed.feedId().toString()),
              kv("table", table.display()), kv("capture", "wal")));
    }
    boolean moved = previous != null && !previous.database().equals(feed.database());
    Future<Void> leaveOld = moved ? remove(controlTx, previous).compose(v -> discardPending(controlTx, previous))
        : Future.succeededFuture();
    TableName table = tableOf(feed);
    return leaveOld
        .compose(v -> sources.inTransaction(controlTx, feed, c -> Catalog.table(c, table)
            .compose(t -> spec(c, feed, checked(feed, t.orElse(null))))
            .compose(spec -> run(c, CaptureDdl.install(spec)))))
        .recover(e -> Future.failedFuture(explain(e, "install capture on " + table.display())))
        .onSuccess(v -> LOG.info("{} {} {}", kv("event", "capture.installed"), kv("feed", feed.feedId().toString()),
            kv("table", table.display())));
  }

  @Override
  public Future<Void> uninstall(SqlConnection controlTx, Feed feed) {
    return remove(controlTx, feed)
        .onSuccess(v -> LOG.info("{} {}", kv("event", "capture.removed"), kv("feed", feed.feedId().toString())));
  }

  private Future<Void> remove(SqlConnection controlTx, Feed feed) {
    if (WalCapture.isWal(feed)) {
      return wal.uninstall(controlTx, feed).recover(e -> gone(e) ? Future.succeededFuture()
          : Future.failedFuture(explain(e, "remove WAL capture of " + feed.config().getString("table"))));
    }
    return sources.inTransaction(controlTx, feed, c -> run(c, CaptureDdl.uninstall(feed.id())))
        .recover(e -> gone(e) ? Future.succeededFuture()
            : Future.failedFuture(explain(e, "remove capture from " + feed.config().getString("table"))));
  }

  private Future<Void> discardPending(SqlConnection controlTx, Feed feed) {
    if (feed.eventStore().isControl()) return events.discardPending(controlTx, feed.id()).mapEmpty();
    return sources.eventClient(feed).compose(c -> events.discardPending(c, feed.id())).mapEmpty();
  }

  private static Future<Void> run(SqlConnection c, List<String> statements) {
    Future<Void> chain = Future.succeededFuture();
    for (String sql : statements) chain = chain.compose(v -> c.query(sql).execute().mapEmpty());
    return chain;
  }

  /** The source database no longer exists or no longer lets whiskfeed in: nothing is left there to remove. */
  private static boolean gone(Throwable e) {
    String state = Database.sqlState(e);
    return state != null && (state.equals("3D000") || state.startsWith("28"));
  }

  /** Expected failures of DDL on a user's table, as answers that say what to do. */
  static Throwable explain(Throwable e, String doing) {
    if (e instanceof WhiskfeedException || Database.isTransient(e)) return e;
    String state = Database.sqlState(e);
    if ("55P03".equals(state)) {
      return new WhiskfeedException(ErrorCode.CONFLICT, "could not " + doing
          + ": the table stayed locked by other transactions for 5 s; try again");
    }
    if ("42501".equals(state)) {
      return new WhiskfeedException(ErrorCode.FORBIDDEN, "could not " + doing + ": " + e.getMessage());
    }
    if (state != null) return new WhiskfeedException(ErrorCode.CONFLICT, "could not " + doing + ": " + e.getMessage());
    return e;
  }
}
