package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.capture.ChangesParams.Capture;
import dev.whiskfeed.capture.wal.SlotReader;
import dev.whiskfeed.capture.wal.WalDdl;
import dev.whiskfeed.capture.wal.WalFeed;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedState;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.StoreRef;
import dev.whiskfeed.store.WalTables;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WAL capture of {@code changes} feeds: what the lifecycle does on a source database (publication,
 * slot, replica identity; nothing else is written there) and the slot readers, one per source that
 * WAL feeds read, each on a thread of its own ({@link SlotReader}).
 */
public final class WalCapture {
  private static final Logger LOG = LoggerFactory.getLogger(WalCapture.class);

  private final Vertx vertx;
  private final EventStores stores;
  private final SourceDatabases sources;
  private final WalTables tables = new WalTables();
  private final SlotAdmin admin;
  private final Map<String, SlotReader> readers = new ConcurrentHashMap<>();
  private final Map<String, StoreRef> refs = new ConcurrentHashMap<>();
  /** Sources whose slot this instance made or checked for a CREATE, by when: one whose CREATE failed is retired. */
  private final Map<String, Long> prepared = new ConcurrentHashMap<>();
  private static final long ORPHAN_AFTER_NANOS = TimeUnit.SECONDS.toNanos(60);
  private Pool control;
  private FeedRepository feeds;
  private FeedCodec codec;
  private Consumer<String> wakeStore = s -> {};
  /** The provider's event loop: the readers' threads hand it everything that touches delivery or the feeds. */
  private volatile io.vertx.core.Context context;
  private Duration retry = Duration.ofSeconds(2);
  private volatile boolean stopped;
  private String instanceId = "whiskfeed";

  WalCapture(Vertx vertx, EventStores stores, SourceDatabases sources) {
    this.vertx = vertx;
    this.stores = stores;
    this.sources = sources;
    this.admin = new SlotAdmin(vertx, stores);
  }

  /**
   * Wires what the readers need to find feeds and report; the provider calls it once at start, on
   * its event loop, which then runs every call a reader makes back (the delivery engine is not
   * thread-safe: a wake-up from a reader's thread ran claims beside the event loop's).
   */
  public void bind(Pool control, FeedRepository feeds, FeedCodec codec, Consumer<String> wakeStore, Duration retry,
                   String instanceId) {
    this.context = vertx.getOrCreateContext();
    this.instanceId = instanceId;
    this.control = control;
    this.feeds = feeds;
    this.codec = codec;
    this.wakeStore = wakeStore;
    this.retry = retry;
  }

  // ---- lifecycle: preparing a source, installing and removing one feed

  /** The publication and the slot of the source, made unless they exist (see {@link SlotAdmin#prepare}). */
  Future<Void> prepare(StoreRef ref) {
    refs.put(ref.name(), ref);
    prepared.put(ref.name(), System.nanoTime());
    return admin.prepare(ref);
  }

  /** Publishes the feed's table and makes its old rows whole, and records both in the control database. */
  Future<Void> install(SqlConnection controlTx, Feed feed, Feed previous) {
    TableName table = ChangesRules.tableOf(feed);
    Future<Void> leaveOld = previous != null && Capture.stored(previous.config()) == Capture.WAL
        && !ChangesRules.tableOf(previous).equals(table) ? uninstall(controlTx, previous) : Future.succeededFuture();
    return leaveOld
        .compose(v -> sources.inTransaction(controlTx, feed, c -> Catalog.table(c, table)
            .map(t -> ChangesRules.checkedWal(feed, t.orElse(null)))
            .compose(t -> c.preparedQuery(WalDdl.IDENTITY).execute(Tuple.of(Sql.qualified(t.schema(), t.name())))
                .compose(rows -> {
                  Row r = rows.iterator().next();
                  long oid = r.getLong("oid");
                  String identity = r.getString("identity");
                  return c.query(WalDdl.capture(oid, r.getBoolean("published"), identity)).execute()
                      .map(new Registration(oid, t.schema(), t.name(), identity));
                }))))
        .compose(reg -> tables.register(controlTx, feed.database().name(), reg.oid, reg.schema, reg.table, feed.id(),
            reg.identity))
        .onSuccess(v -> {
          refs.put(feed.database().name(), feed.database());
          vertx.runOnContext(x -> sync(Set.of(feed.database().name())));
        });
  }

  private record Registration(long oid, String schema, String table, String identity) {}

  /** Unregisters the feed; a table no feed reads any more leaves the publication and gets its identity back. */
  Future<Void> uninstall(SqlConnection controlTx, Feed feed) {
    String source = feed.database().name();
    return tables.unregister(controlTx, source, feed.id())
        .compose(released -> released.isEmpty() ? Future.succeededFuture()
            : sources.inTransaction(controlTx, feed, c -> {
              Future<Void> chain = Future.succeededFuture();
              for (WalTables.Released r : released) {
                chain = chain.compose(v -> c.query(WalDdl.release(r.tableOid(), r.previousIdentity())).execute()
                    .mapEmpty());
              }
              return chain;
            }))
        .onSuccess(v -> refs.put(feed.database().name(), feed.database()));
  }

  // ---- readers

  /**
   * Starts a reader for every source WAL feeds read and stops the others; {@code wanted}: store
   * names known to need one, beside those found in the control database.
   */
  public Future<Void> sync(Set<String> wanted) {
    if (control == null || stopped) return Future.succeededFuture();
    return tables.sources(control).compose(this::learnRefs).map(inUse -> {
      for (String source : inUse) {
        SlotReader reader = readers.get(source);
        // a lost slot stays lost until a lifecycle call names the source again (wanted)
        boolean restart = reader == null || !reader.running()
            && (reader.state() != SlotReader.State.LOST || wanted.contains(source));
        if (restart) startReader(source);
        else reader.refresh();
      }
      for (String source : List.copyOf(readers.keySet())) {
        StoreRef ref = refFor(source);
        if (!inUse.contains(source) && !wanted.contains(source) && ref != null) retireIfUnused(ref);
      }
      // a slot made for a CREATE that then failed would keep WAL forever: dropped once no feed came of it
      long now = System.nanoTime();
      prepared.forEach((source, at) -> {
        if (inUse.contains(source)) {
          prepared.remove(source, at);
        } else if (now - at > ORPHAN_AFTER_NANOS && !readers.containsKey(source) && refFor(source) != null) {
          prepared.remove(source, at);
          retireIfUnused(refFor(source));
        }
      });
      return null;
    });
  }

  /**
   * Feeds changed (here, after the change committed, or on another instance): every reader reads
   * its feeds again before the next change, and a source no feed reads any more is retired.
   */
  public void changed() {
    readers.values().forEach(SlotReader::refresh);
    sync(Set.of());
  }

  /**
   * A lifecycle call of this instance changed a feed and committed: besides {@link #changed()},
   * marks the WAL of every source WAL feeds read, so the reader holding its slot (here or on another
   * instance) reads the feeds again before any change committed after this call answers. A source
   * that does not answer is skipped: its reader also reloads on the feed-change notification.
   */
  public Future<Void> announce() {
    changed();
    if (control == null || stopped) return Future.succeededFuture();
    return tables.sources(control).compose(inUse -> {
      List<Future<Void>> marks = new ArrayList<>();
      for (String source : inUse) {
        StoreRef ref = refFor(source);
        if (ref == null) continue;
        marks.add(stores.reach(ref).compose(pool -> pool.query(WalDdl.FEEDS_CHANGED).execute())
            .timeout(2, TimeUnit.SECONDS).<Void>mapEmpty().otherwiseEmpty());
      }
      return Future.join(marks).<Void>mapEmpty();
    }).otherwiseEmpty();
  }

  private void startReader(String source) {
    if (stopped) return;
    StoreRef ref = refFor(source);
    if (ref == null) return; // a database given by URL: found again when its feeds are loaded
    DbUrl url = stores.url(ref);
    if (url == null) return;
    SlotReader reader = new SlotReader(new SlotReader.Settings(source, url, stores.control().url(), retry, 2_000,
        instanceId),
        new Host(ref));
    SlotReader previous = readers.put(source, reader);
    if (previous != null) previous.stop();
    reader.start();
  }

  /**
   * A database given by URL is known by its digest only: after a restart its reference (URL and
   * password) is found again in the sealed secrets of a feed that reads it.
   */
  private Future<Set<String>> learnRefs(Set<String> inUse) {
    if (inUse.stream().allMatch(s -> refFor(s) != null)) return Future.succeededFuture(inUse);
    return feeds.all(control).map(rows -> {
      for (var row : rows) {
        if (!"changes".equals(row.kind()) || !"wal".equals(row.config().getString("capture"))) continue;
        StoreRef ref = codec.toFeed(row).database();
        refs.putIfAbsent(ref.name(), ref);
      }
      return inUse;
    });
  }

  private StoreRef refFor(String source) {
    if (source.equals(StoreRef.CONTROL.name())) return StoreRef.CONTROL;
    if (source.startsWith("source:")) return new StoreRef.Source(source.substring("source:".length()));
    return refs.get(source);
  }

  /** One source's slot as /health and the metrics show it. {@code retainedBytes} is null when the source did not answer. */
  public record SlotStatus(String store, String slot, String state, String holder, Long retainedBytes,
                           double lagSeconds) {
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("store", store).put("slot", slot).put("state", state)
          .put("lagSeconds", lagSeconds);
      if (holder != null) json.put("holder", holder);
      if (retainedBytes != null) json.put("retainedBytes", retainedBytes);
      return json;
    }
  }

  /** Every slot this instance reads or stands by for, with the source's view of it. */
  public Future<List<SlotStatus>> status() {
    List<Future<SlotStatus>> all = new ArrayList<>();
    readers.forEach((source, reader) -> all.add(status(source, reader)));
    return Future.join(all).map(v -> all.stream().map(Future::result).toList());
  }

  private Future<SlotStatus> status(String source, SlotReader reader) {
    String state = reader.state().name().toLowerCase(java.util.Locale.ROOT);
    StoreRef ref = refFor(source);
    if (ref == null) return Future.succeededFuture(new SlotStatus(source, reader.slot(), state, null, null, 0));
    return stores.reach(ref)
        .compose(pool -> pool.query(WalDdl.SLOT_STATE).execute())
        .timeout(2, TimeUnit.SECONDS)
        .map(rows -> {
          var it = rows.iterator();
          if (!it.hasNext()) return new SlotStatus(source, reader.slot(), state, null, null, reader.lagSeconds());
          Row r = it.next();
          String holder = r.getString("holder");
          if (holder != null && holder.startsWith("whiskfeed-wal:")) holder = holder.substring("whiskfeed-wal:".length());
          return new SlotStatus(source, reader.slot(), state, holder, r.getLong("retained_bytes"), reader.lagSeconds());
        })
        .otherwise(e -> new SlotStatus(source, reader.slot(), state, null, null, reader.lagSeconds()));
  }

  public void stop() {
    stopped = true;
    List<SlotReader> all = new ArrayList<>(readers.values());
    readers.clear();
    all.forEach(SlotReader::stop);
  }

  /** Once no feed reads the source: stop its reader, then drop its slot and publication (retried by the watch). */
  Future<Void> retireIfUnused(StoreRef ref) {
    if (control == null) return Future.succeededFuture();
    return tables.sources(control).compose(inUse -> {
      if (inUse.contains(ref.name())) return Future.succeededFuture();
      SlotReader reader = readers.remove(ref.name());
      Future<Void> stopped = reader == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
        reader.stop();
        return null;
      }, false);
      return stopped.compose(v -> admin.dropSlot(ref));
    });
  }

  private io.vertx.core.Context loop() {
    io.vertx.core.Context c = context;
    if (c == null) throw new IllegalStateException("WalCapture.bind was not called: a reader has no event loop to report to");
    return c;
  }

  /** What a reader asks of the provider, answered on the event loop. */
  private final class Host implements SlotReader.Host {
    private final StoreRef ref;

    Host(StoreRef ref) {
      this.ref = ref;
    }

    @Override
    public boolean alive() {
      return !stopped;
    }

    /** Called on the reader's own thread only: it waits for the event loop's answer, which no event loop may do. */
    @Override
    public List<WalFeed> feeds() throws Exception {
      if (io.vertx.core.Context.isOnEventLoopThread()) {
        throw new IllegalStateException("the feeds of a slot reader are read off the event loop only");
      }
      io.vertx.core.Promise<List<WalFeed>> loaded = io.vertx.core.Promise.promise();
      loop().runOnContext(v -> walFeeds(ref).onComplete(loaded));
      return loaded.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Override
    public void stored(int events) {
      loop().runOnContext(v -> wakeStore.accept(StoreRef.CONTROL.name()));
    }

    @Override
    public void lost(String message) {
      loop().runOnContext(v -> disableAll(ref, message));
    }
  }

  /**
   * The WAL feeds reading {@code ref}, in any state (a paused or disabled feed's events are stored
   * too) but one disabled for its backlog: its capture stops, so the cap bounds the event table.
   */
  Future<List<WalFeed>> walFeeds(StoreRef ref) {
    return feeds.all(control).map(rows -> {
      List<WalFeed> out = new ArrayList<>();
      for (var row : rows) {
        if (!"changes".equals(row.kind()) || !"wal".equals(row.config().getString("capture"))) continue;
        Feed f = codec.toFeed(row);
        if (!f.database().equals(ref) || BacklogCap.stoppedCapture(f)) continue;
        ChangesParams p = ChangesParams.parse(f.kindConfig(), Set.of(), f.secrets());
        TableName t = ChangesRules.tableOf(f);
        out.add(new WalFeed(f.id(), t.schema(), t.name(), p.events(), p.columns(), p.payloadColumns(), p.where()));
      }
      return out;
    });
  }

  /** The slot is gone: every WAL feed of the source is disabled with a reason, never left with a silent gap. */
  private Future<Void> disableAll(StoreRef ref, String message) {
    JsonObject reason = new JsonObject().put("kind", "AUTO").put("message", "capture lost: " + message
        + "; UPDATE the feed to capture again (changes made meanwhile are not captured)");
    return feeds.all(control).compose(rows -> {
      List<Future<Boolean>> done = new ArrayList<>();
      for (var row : rows) {
        if (!"changes".equals(row.kind()) || !"wal".equals(row.config().getString("capture"))) continue;
        Feed f = codec.toFeed(row);
        if (!f.database().equals(ref) || f.status().state() == FeedState.DISABLED) continue;
        done.add(feeds.disable(control, f.id(), reason).onSuccess(d -> {
          if (d) LOG.warn("{} {} {}", kv("event", "feed.disabled"), kv("feed", f.feedId().toString()),
              kv("reason", reason.getString("message")));
        }));
      }
      return Future.join(done).mapEmpty();
    });
  }

  static boolean isWal(Feed feed) {
    return feed.kind() == FeedKind.CHANGES && Capture.stored(feed.config()) == Capture.WAL;
  }
}
