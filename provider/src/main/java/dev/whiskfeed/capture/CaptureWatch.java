package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedState;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.StoreRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks after installed capture on a timer. A capture trigger never fails the user's write when
 * the table changes under it (a dropped column just leaves the payload), so schema changes are
 * found here instead: when a feed's table is gone, a column its {@code columns} or
 * {@code payloadColumns} names is gone, or one of its triggers was dropped or disabled by hand, the
 * feed is disabled with a reason ({@code AUTO}); an UPDATE that fixes the parameters reinstalls
 * capture and re-enables it. It also wakes the stores of {@code mode: poll} feeds every
 * {@code pollIntervalSec}, since their writers never ring.
 */
public final class CaptureWatch {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureWatch.class);

  private final Vertx vertx;
  private final Pool control;
  private final FeedRepository feeds;
  private final FeedCodec codec;
  private final SourceDatabases sources;
  private final WalCapture wal;
  private final Duration every;
  private final Consumer<String> wakeStore;
  private final Map<String, long[]> pollTimers = new HashMap<>(); // store -> {timer id, interval ms}
  private long timer = -1;
  private boolean checking;
  private String lastSkip;

  public CaptureWatch(Vertx vertx, Pool control, FeedRepository feeds, FeedCodec codec, ChangesRules rules,
                      Duration every, Consumer<String> wakeStore) {
    this.vertx = vertx;
    this.control = control;
    this.feeds = feeds;
    this.codec = codec;
    this.sources = rules.sources();
    this.wal = rules.wal();
    this.every = every;
    this.wakeStore = wakeStore;
  }

  public void start() {
    timer = vertx.setPeriodic(1, every.toMillis(), id -> check());
  }

  public void stop() {
    vertx.cancelTimer(timer);
    pollTimers.values().forEach(t -> vertx.cancelTimer(t[0]));
    pollTimers.clear();
  }

  /** One round: every changes feed that is not disabled is checked against its store's catalog. */
  Future<Void> check() {
    if (checking) return Future.succeededFuture();
    checking = true;
    return feeds.all(control)
        // only the rows checked are decoded: decoding opens the feed's sealed secrets (30-150 us each
        // on the event loop), and the other kinds may be thousands of alarms and webhooks
        .map(rows -> rows.stream()
            .filter(r -> FeedKind.parse(r.kind()) == FeedKind.CHANGES && FeedState.parse(r.state()) != FeedState.DISABLED)
            .map(codec::toFeed).toList())
        .compose(list -> {
          schedulePolls(list);
          wal.sync(Set.of());
          // the feeds of one database together, with one catalog query for all their tables and one
          // for all their triggers, databases side by side (one that does not answer holds up only
          // its own feeds): checked all at once, a hundred feeds' catalog queries took every
          // connection of their store's pool for tens of milliseconds, and the delivery engine's
          // outcomes queued behind them; checked one at a time, their two hundred queries kept a
          // busy store busier for most of a second every round
          Map<CatalogPool, List<Feed>> groups = new LinkedHashMap<>();
          for (Feed feed : list) groups.computeIfAbsent(CatalogPool.of(feed), k -> new ArrayList<>()).add(feed);
          Map<StoreRef, Future<Void>> rounds = new HashMap<>();
          for (List<Feed> group : groups.values()) {
            StoreRef database = group.get(0).database();
            Future<Void> before = rounds.getOrDefault(database, Future.succeededFuture());
            rounds.put(database, before.compose(v -> checkAll(group)));
          }
          return Future.join(List.copyOf(rounds.values()));
        })
        .<Void>mapEmpty()
        .onComplete(ar -> {
          checking = false;
          if (ar.failed()) {
            LOG.warn("{} {}", kv("event", "capture.check.failed"), kv("error", String.valueOf(ar.cause().getMessage())));
          }
        });
  }

  /** Feeds whose catalog reads share a pool: their database, and whether it is opened as their event store. */
  private record CatalogPool(StoreRef database, boolean eventStore) {
    static CatalogPool of(Feed feed) {
      return new CatalogPool(feed.database(), feed.eventStore().equals(feed.database()));
    }
  }

  /**
   * Feeds of one database and pool: their tables, the triggers of the trigger-captured ones and the
   * column types of the WAL-captured ones' tables read at once, then each feed judged in turn.
   */
  private Future<Void> checkAll(List<Feed> group) {
    List<TableName> tables = group.stream().map(ChangesRules::tableOf).toList();
    List<Long> triggered = group.stream().filter(f -> !WalCapture.isWal(f)).map(Feed::id).toList();
    return sources.client(group.get(0)).compose(c -> Catalog.tables(c, tables)
            .compose(found -> Catalog.triggers(c, triggered)
                .compose(installed -> SlotAdmin.unprintable(c, walTables(group, found))
                    .compose(unprintable -> disableBroken(group, found, installed, unprintable)))))
        .recover(e -> skipped(group.get(0), e));
  }

  /** Each feed of the group judged on what the catalog said, and disabled in turn when broken. */
  private Future<Void> disableBroken(List<Feed> group, List<Optional<Catalog.Table>> found,
                                     Map<Long, List<Catalog.InstalledTrigger>> installed,
                                     Map<TableName, List<String>> unprintable) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < group.size(); i++) {
      Feed feed = group.get(i);
      Optional<Catalog.Table> table = found.get(i);
      Optional<String> problem = problem(feed, table, installed.getOrDefault(feed.id(), List.of()),
          table.map(t -> unprintable.getOrDefault(t.tableName(), List.of())).orElse(List.of()));
      if (problem.isPresent()) chain = chain.compose(v -> disable(feed).recover(e -> skipped(feed, e)));
    }
    return chain;
  }

  /** The tables of the group's WAL feeds that exist, whose column types the check reads. */
  private static List<TableName> walTables(List<Feed> group, List<Optional<Catalog.Table>> found) {
    List<TableName> out = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      Optional<Catalog.Table> t = found.get(i);
      if (WalCapture.isWal(group.get(i)) && t.isPresent() && t.get().isTable()) out.add(t.get().tableName());
    }
    return out;
  }

  /**
   * An unreachable store is the delivery engine's to report; look again next round. Said once as a
   * warning per distinct error, so a check that cannot run at all is seen, not retried in silence.
   */
  private Future<Void> skipped(Feed feed, Throwable e) {
    String message = String.valueOf(e.getMessage());
    if (message.equals(lastSkip)) {
      LOG.debug("capture check of {} skipped: {}", feed.feedId(), message);
    } else {
      LOG.warn("{} {} {}", kv("event", "capture.check.skipped"), kv("feed", feed.feedId().toString()), kv("error", message));
    }
    lastSkip = message;
    return Future.succeededFuture();
  }

  /** What is wrong with the feed's capture, if anything: the check of one feed, read afresh. */
  Future<Optional<String>> problem(Feed feed) {
    TableName table = ChangesRules.tableOf(feed);
    boolean wal = WalCapture.isWal(feed);
    return sources.client(feed).compose(c -> Catalog.table(c, table).compose(t -> {
      boolean present = t.isPresent() && t.get().isTable();
      Future<List<Catalog.InstalledTrigger>> installed = present && !wal ? Catalog.triggers(c, feed.id())
          : Future.succeededFuture(List.of());
      return installed.compose(i -> (present && wal ? SlotAdmin.unprintable(c, t.get().tableName())
          : Future.succeededFuture(List.<String>of())).map(types -> problem(feed, t, i, types)));
    }));
  }

  /**
   * The verdict on a feed from what the catalog says of its table, of its triggers (trigger
   * capture) and of the column types of its table that WAL capture cannot print (WAL capture).
   */
  static Optional<String> problem(Feed feed, Optional<Catalog.Table> t, List<Catalog.InstalledTrigger> installed,
                                  List<String> unprintable) {
    if (t.isEmpty() || !t.get().isTable()) {
      return Optional.of("table " + ChangesRules.tableOf(feed).display() + " no longer exists (dropped or renamed)");
    }
    return WalCapture.isWal(feed) ? walProblem(feed, t.get(), unprintable) : problem(feed, t.get(), installed);
  }

  static Optional<String> problem(Feed feed, Catalog.Table t, List<Catalog.InstalledTrigger> installed) {
    Optional<String> columns = columnsProblem(feed, t);
    if (columns.isPresent()) return columns;
    CaptureSpec spec = ChangesRules.spec(feed, t);
    for (String name : CaptureDdl.triggerNames(spec)) {
      var found = installed.stream().filter(i -> i.name().equals(name) && i.schema().equals(t.schema())
          && i.table().equals(t.name())).findFirst();
      if (found.isEmpty()) {
        return Optional.of("capture trigger " + name + " is missing from table " + t.tableName().display());
      }
      if (!found.get().enabled()) {
        return Optional.of("capture trigger " + name + " on table " + t.tableName().display() + " was disabled");
      }
    }
    return Optional.empty();
  }

  /** A named column is gone, or a column's type is one WAL capture cannot print (added after CREATE). */
  private static Optional<String> walProblem(Feed feed, Catalog.Table t, List<String> unprintable) {
    Optional<String> columns = columnsProblem(feed, t);
    if (columns.isPresent() || unprintable.isEmpty()) return columns;
    return Optional.of("table " + t.tableName().display() + " now has a column of type " + String.join(", ", unprintable)
        + ", which WAL capture cannot print as trigger capture does (drop the column, or DELETE the feed and "
        + "CREATE it with capture trigger)");
  }

  /** A column the feed names is gone (both capture modes). */
  static Optional<String> columnsProblem(Feed feed, Catalog.Table t) {
    JsonObject config = feed.config();
    for (String param : List.of("columns", "payloadColumns")) {
      var named = config.getJsonArray(param);
      if (named == null) continue;
      List<String> missing = new ArrayList<>();
      named.forEach(c -> {
        if (!t.columns().contains((String) c)) missing.add((String) c);
      });
      if (!missing.isEmpty()) {
        return Optional.of("column" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing) + " of table "
            + t.tableName().display() + " named in " + param + " no longer exist" + (missing.size() > 1 ? "" : "s")
            + " (dropped or renamed)");
      }
    }
    RowFilter where = RowFilter.stored(config);
    if (where != null) {
      List<String> missing = where.columns().stream().filter(c -> !t.columns().contains(c)).toList();
      if (!missing.isEmpty()) {
        return Optional.of("column" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing) + " of table "
            + t.tableName().display() + " read by where no longer exist" + (missing.size() > 1 ? "" : "s")
            + " (dropped or renamed)");
      }
    }
    return Optional.empty();
  }

  /** Under the trigger's lifecycle lock, with the feed read again: a concurrent UPDATE may have fixed it. */
  private Future<Void> disable(Feed seen) {
    return control.withTransaction(tx -> feeds.lock(tx, seen.feedId().namespace(), seen.feedId().trigger())
        .compose(v -> feeds.findById(tx, seen.id()))
        .compose(row -> {
          if (row.isEmpty()) return Future.succeededFuture();
          Feed feed = codec.toFeed(row.get());
          if (feed.status().state() == FeedState.DISABLED) return Future.succeededFuture();
          return problem(feed).compose(p -> p.isEmpty() ? Future.succeededFuture()
              : feeds.disable(tx, feed.id(), reason(p.get())).onSuccess(done -> {
                if (done) {
                  LOG.warn("{} {} {}", kv("event", "feed.disabled"), kv("feed", feed.feedId().toString()),
                      kv("reason", p.get()));
                }
              }).mapEmpty());
        }));
  }

  static JsonObject reason(String problem) {
    return new JsonObject().put("kind", "AUTO").put("message", "Capture automatically disabled: " + problem
        + "; UPDATE the feed to capture again");
  }

  /** A timer per store with active poll feeds, at the shortest pollIntervalSec among them. */
  private void schedulePolls(List<Feed> list) {
    Map<String, Long> wanted = new TreeMap<>();
    for (Feed f : list) {
      if (f.status().state() != FeedState.ACTIVE || !"poll".equals(f.config().getString("mode"))) continue;
      long ms = f.config().getInteger("pollIntervalSec", ChangesParams.DEFAULT_POLL_INTERVAL_SEC) * 1000L;
      wanted.merge(f.eventStore().name(), ms, Math::min);
    }
    for (String store : Set.copyOf(pollTimers.keySet())) {
      long[] t = pollTimers.get(store);
      if (!Long.valueOf(t[1]).equals(wanted.get(store))) {
        vertx.cancelTimer(t[0]);
        pollTimers.remove(store);
      }
    }
    wanted.forEach((store, ms) -> pollTimers.computeIfAbsent(store,
        s -> new long[] {vertx.setPeriodic(ms, id -> wakeStore.accept(s)), ms}));
  }
}
