package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.store.Backfill;
import dev.whiskfeed.store.BackfillRepository;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.Doorbell;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.FeedRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the backfills of changes feeds: every instance now and then leases running backfills nobody
 * holds ({@code whiskfeed.backfills}), and runs each chunk after chunk: read the next rows in
 * primary-key order from the feed's table, store their BACKFILL events in the feed's event store
 * (ids from {@link BackfillIds}, so a chunk run again stores nothing twice), then record the chunk
 * and renew the lease in the control database. A pause between chunks, long while other
 * transactions commit in the source database ({@link BackfillPace}), leaves it to its writers. A lease that is lost (the feed was deleted, the instance stalled past its lease) ends
 * the run here; a stop hands the lease back after the current chunk, so a restart or another
 * instance goes on from the last finished chunk. Runs on the verticle's event loop.
 */
public final class Backfills {
  private static final Logger LOG = LoggerFactory.getLogger(Backfills.class);

  /**
   * @param chunkRows rows per chunk ({@code WHISKFEED_BACKFILL_CHUNK_ROWS})
   * @param pause the least wait after each chunk ({@code WHISKFEED_BACKFILL_PAUSE_MS}); {@link BackfillPace} waits longer while the database is busy
   * @param lease how long a claimed backfill stays this instance's without a finished chunk
   * @param check how often each instance looks for backfills to run
   * @param maxRunning backfills one instance runs at once
   */
  public record Settings(String holder, int chunkRows, Duration pause, Duration lease, Duration check, int maxRunning) {}

  // A chunk is first stored with a plain INSERT; only when that meets a stored id (the chunk ran
  // before a crash) again with ON CONFLICT DO NOTHING, whose speculative insertion costs a second
  // WAL record and index probe per row (as capture/wal/EventWriter does).
  private static final String INSERT = insert("");
  private static final String INSERT_NEW = insert("ON CONFLICT (id) DO NOTHING");

  private static String insert(String onConflict) {
    return """
      WITH ins AS (
        INSERT INTO whiskfeed.events (id, feed_id, op, payload)
        SELECT u.id, $1, 'BACKFILL', u.payload::jsonb
        FROM ROWS FROM (pg_catalog.unnest($2::uuid[]), pg_catalog.unnest($3::text[])) WITH ORDINALITY AS u(id, payload, i)
        ORDER BY u.i
        %s
        RETURNING 1),
      %s
      SELECT (SELECT count(*) FROM ins) AS stored, (SELECT count(*) FROM rang) AS rang""".formatted(onConflict,
        Doorbell.RING_AFTER);
  }
  /** The source database's transactions so far, the signal of {@link BackfillPace}. */
  private static final String COMMITS = "SELECT xact_commit + xact_rollback AS n FROM pg_catalog.pg_stat_database"
      + " WHERE datname = pg_catalog.current_database()";
  // a deleted feed's id is never reused: what it left pending can go
  private static final String DISCARD = EventRepository.DISCARD_PENDING;

  private final Vertx vertx;
  private final SourceDatabases sources;
  private final BackfillRepository repo = new BackfillRepository();
  private Pool control;
  private FeedRepository feeds;
  private FeedCodec codec;
  private Runnable onEventsWritten = () -> {};
  private Settings settings;
  private final Map<Long, Promise<Void>> running = new HashMap<>();
  /** Runs waiting out the pause after a chunk: timer id → the next chunk. */
  private final Map<Long, Runnable> pausing = new HashMap<>();
  private long timer = -1;
  private boolean stopped;
  /** The last claim failure logged at WARN, until a claim succeeds. */
  private String lastClaimError;
  private boolean claiming;

  Backfills(Vertx vertx, SourceDatabases sources) {
    this.vertx = vertx;
    this.sources = sources;
  }

  public void bind(Pool control, FeedRepository feeds, FeedCodec codec, Runnable onEventsWritten, Settings settings) {
    this.control = control;
    this.feeds = feeds;
    this.codec = codec;
    this.onEventsWritten = onEventsWritten;
    this.settings = settings;
  }

  public void start() {
    timer = vertx.setPeriodic(settings.check().toMillis(), id -> claim());
    claim();
  }

  /** A backfill was started (its row committed): look for it now rather than at the next check. */
  public void kick() {
    vertx.runOnContext(v -> claim());
  }

  /** No new chunk starts; each running backfill hands its lease back after its current chunk. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    // a run waiting out its pause goes on at once, to hand its lease back
    new ArrayList<>(pausing.entrySet()).forEach(p -> {
      if (vertx.cancelTimer(p.getKey())) {
        pausing.remove(p.getKey());
        p.getValue().run();
      }
    });
    return Future.join(running.values().stream().map(Promise::future).toList()).mapEmpty();
  }

  private void claim() {
    int room = settings.maxRunning() - running.size();
    if (stopped || claiming || room <= 0) return;
    claiming = true;
    repo.claim(control, settings.holder(), settings.lease().toMillis(), room)
        .onComplete(ar -> {
          claiming = false;
          if (ar.failed()) {
            // once per outage, not every check: the store's own lines report the outage
            String error = String.valueOf(ar.cause().getMessage());
            if (!error.equals(lastClaimError)) {
              LOG.warn("{} {}", kv("event", "backfill.claim.failed"), kv("error", error));
            } else {
              LOG.debug("backfill claim failed again: {}", error);
            }
            lastClaimError = error;
            return;
          }
          lastClaimError = null;
          ar.result().forEach(this::run);
        });
  }

  private void run(Backfill b) {
    Promise<Void> ended = Promise.promise();
    running.put(b.feedId(), ended);
    ended.future().onComplete(ar -> running.remove(b.feedId()));
    feeds.findById(control, b.feedId())
        .compose(row -> row.isEmpty() ? Future.succeededFuture(null) : plan(codec.toFeed(row.get()), b))
        .onComplete(ar -> {
          if (ar.failed()) ended(b, ar.cause(), ended);
          else if (ar.result() == null) ended.complete(); // the feed is gone, and its backfill row with it
          else {
            String feed = ar.result().feed().feedId().toString();
            if (b.lastKey() == null) {
              LOG.info("{} {} {} {}", kv("event", "backfill.started"), kv("feed", feed), kv("run", b.run()),
                  kv("rows", b.rows()));
            } else {
              LOG.info("{} {} {} {}", kv("event", "backfill.resumed"), kv("feed", feed), kv("run", b.run()),
                  kv("rows", b.rows()));
            }
            nextChunk(ar.result(), b.lastKey(), b.rows(), ended);
          }
        });
  }

  /** What every chunk of one run needs: the table's key, the query text, and both databases. */
  private record Plan(Feed feed, Backfill backfill, List<BackfillQuery.KeyColumn> pk, String first, String after,
                      SqlClient source, SqlClient events, boolean oneDatabase, BackfillPace pace) {
    /** The chunk query after {@code lastKey} (null: the first), and how many parameters it takes. */
    String chunk(List<String> lastKey) {
      return lastKey == null ? first : after;
    }

    int chunkParams(List<String> lastKey) {
      return BackfillQuery.chunkParams(pk, lastKey != null);
    }
  }

  private Future<Plan> plan(Feed feed, Backfill b) {
    TableName table = ChangesRules.tableOf(feed);
    List<String> payloadColumns = ChangesParams.parse(feed.kindConfig(), Set.of(), feed.secrets()).payloadColumns();
    return sources.client(feed).compose(source -> sources.eventClient(feed).compose(events ->
        Catalog.primaryKey(source, table).map(pk -> {
          if (pk.isEmpty()) throw new NoPrimaryKey(table);
          return new Plan(feed, b, pk, BackfillQuery.chunk(table, pk, payloadColumns, b.filter(), false),
              BackfillQuery.chunk(table, pk, payloadColumns, b.filter(), true), source, events,
              feed.database().equals(feed.eventStore()), new BackfillPace(settings.pause().toMillis()));
        })));
  }

  /**
   * One chunk after another, each started from the previous one's answer rather than from a future
   * nested in it (a run of a million rows is a thousand chunks; nested futures would complete as one
   * deep call stack).
   */
  private void nextChunk(Plan plan, List<String> lastKey, long rows, Promise<Void> ended) {
    Backfill b = plan.backfill();
    if (stopped) {
      repo.release(control, b, settings.holder()).onComplete(ar -> ended.complete());
      return;
    }
    long started = System.nanoTime();
    chunk(plan, lastKey).onComplete(ar -> {
      if (ar.failed()) {
        ended(b, ar.cause(), ended);
      } else if (ar.result() == null) {
        LOG.info("{} {} {}", kv("event", "backfill.stopped"), kv("feed", plan.feed().feedId().toString()),
            kv("run", b.run()));
        ended.complete();
      } else if (ar.result().last()) {
        LOG.info("{} {} {} {}", kv("event", "backfill.done"), kv("feed", plan.feed().feedId().toString()),
            kv("run", b.run()), kv("rows", rows + ar.result().rows()));
        ended.complete();
      } else {
        List<String> key = ar.result().lastKey();
        long sum = rows + ar.result().rows();
        Runnable next = () -> nextChunk(plan, key, sum, ended);
        long took = System.nanoTime() - started;
        plan.source().query(COMMITS).execute().onComplete(count -> {
          // the chunk's read or write, this read, and the progress record when the control database is the source
          int own = 2 + (plan.feed().database().isControl() ? 1 : 0);
          long pause = count.succeeded() ? plan.pace().after(took, System.nanoTime(), count.result().iterator().next()
              .getLong("n"), own) : plan.pace().unread(took);
          if (stopped) {
            next.run(); // hands the lease back at once
            return;
          }
          long t = vertx.setTimer(Math.max(1, pause), id -> {
            pausing.remove(id);
            next.run();
          });
          pausing.put(t, next);
        });
      }
    });
  }

  private record Chunk(List<String> lastKey, int rows, boolean last) {}

  /** Reads, stores and records one chunk; null when the run is no longer this instance's to go on with. */
  private Future<Chunk> chunk(Plan plan, List<String> lastKey) {
    Backfill b = plan.backfill();
    Future<Stored> stored = plan.oneDatabase() ? storeInPlace(plan, lastKey) : copy(plan, lastKey);
    return stored.compose(st -> {
      Chunk chunk = new Chunk(st.lastKey() == null ? lastKey : st.lastKey(), st.rows(), st.rows() < settings.chunkRows());
      return repo.chunkDone(control, b, settings.holder(),
              chunk.lastKey() == null ? null : chunk.lastKey().toArray(String[]::new), chunk.rows(), chunk.last(),
              settings.lease().toMillis())
          .compose(held -> {
            if (held) {
              if (st.stored() > 0) onEventsWritten.run();
              return Future.succeededFuture(chunk);
            }
            // the feed deleted meanwhile: its DELETE discarded its pending events before these landed
            // (a lease lost to another instance leaves them: that instance stores the same ids)
            return repo.find(control, b.feedId()).compose(run -> run.isPresent() ? Future.succeededFuture()
                    : plan.events().preparedQuery(DISCARD).execute(Tuple.of(b.feedId())).mapEmpty())
                .map((Chunk) null);
          });
    });
  }

  /** A chunk stored: the rows read, the last one's key (null when none), the events that were new. */
  private record Stored(int rows, List<String> lastKey, int stored) {}

  /**
   * The table and the event store are one database: one statement reads the chunk and stores its
   * events, in the transaction that pins the payload settings.
   */
  private Future<Stored> storeInPlace(Plan plan, List<String> lastKey) {
    return storeInPlace(plan, lastKey, "").recover(e -> "23505".equals(Database.sqlState(e))
        ? storeInPlace(plan, lastKey, "ON CONFLICT (id) DO NOTHING") : Future.failedFuture(e));
  }

  private Future<Stored> storeInPlace(Plan plan, List<String> lastKey, String onConflict) {
    Backfill b = plan.backfill();
    String sql = BackfillQuery.store(plan.chunk(lastKey), plan.chunkParams(lastKey), onConflict, Doorbell.RING_AFTER);
    Tuple args = chunkArgs(plan, lastKey).addLong(b.feedId());
    return withTransaction(plan.source(), c -> c.query(BackfillQuery.settings()).execute()
        .compose(v -> c.preparedQuery(sql).execute(args)))
        .map(rows -> {
          Row r = rows.iterator().next();
          String[] key = r.getArrayOfStrings("last_key");
          return new Stored(r.getLong("rows").intValue(), key == null ? null : Arrays.asList(key),
              r.getLong("stored").intValue());
        });
  }

  /** The table is in another database than the events: the chunk is read, then stored there. */
  private Future<Stored> copy(Plan plan, List<String> lastKey) {
    Backfill b = plan.backfill();
    String sql = BackfillQuery.read(plan.chunk(lastKey), plan.chunkParams(lastKey));
    return withTransaction(plan.source(), c -> c.query(BackfillQuery.settings()).execute()
        .compose(v -> c.preparedQuery(sql).execute(chunkArgs(plan, lastKey))))
        .compose(rows -> {
          List<String> key = null;
          UUID[] ids = new UUID[rows.size()];
          String[] payloads = new String[rows.size()];
          int i = 0;
          for (Row r : rows) {
            key = Arrays.asList(r.getArrayOfStrings("key"));
            ids[i] = r.getUUID("id");
            payloads[i++] = r.getString("payload");
          }
          List<String> last = key;
          int n = rows.size();
          if (n == 0) return Future.succeededFuture(new Stored(0, null, 0));
          return store(plan.events(), INSERT, b.feedId(), ids, payloads)
              .recover(e -> "23505".equals(Database.sqlState(e))
                  ? store(plan.events(), INSERT_NEW, b.feedId(), ids, payloads) : Future.failedFuture(e))
              .map(stored -> new Stored(n, last, stored));
        });
  }

  private static Future<Integer> store(SqlClient events, String sql, long feedId, UUID[] ids, String[] payloads) {
    return events.preparedQuery(sql).execute(Tuple.of(feedId, ids, payloads))
        .map(result -> result.iterator().next().getLong("stored").intValue());
  }

  /** The chunk's parameters (the last key, the limit), then the run's id prefix and salt. */
  private Tuple chunkArgs(Plan plan, List<String> lastKey) {
    Backfill b = plan.backfill();
    Tuple args = Tuple.tuple();
    if (lastKey != null) lastKey.forEach(args::addString);
    return args.addInteger(settings.chunkRows()).addString(BackfillIds.prefix(b.feedId(), b.run()))
        .addString(BackfillIds.salt(b.feedId(), b.run()));
  }

  private static <T> Future<T> withTransaction(SqlClient client,
                                               java.util.function.Function<io.vertx.sqlclient.SqlConnection, Future<T>> work) {
    if (!(client instanceof Pool pool)) throw new IllegalStateException("a backfill reads through a pool");
    return pool.withTransaction(work);
  }

  /**
   * A chunk failed: an outage hands the lease back (the next check goes on from the last finished
   * chunk); anything else (the table or its key dropped, a column type changed) fails the run, and
   * READ says why.
   */
  private void ended(Backfill b, Throwable e, Promise<Void> ended) {
    String error = e instanceof NoPrimaryKey ? e.getMessage() : String.valueOf(e.getMessage());
    if (Database.isTransient(e)) {
      LOG.warn("{} {} {} {}", kv("event", "backfill.retry"), kv("feedId", b.feedId()), kv("run", b.run()),
          kv("error", error));
      repo.release(control, b, settings.holder()).onComplete(ar -> ended.complete());
      return;
    }
    LOG.warn("{} {} {} {}", kv("event", "backfill.failed"), kv("feedId", b.feedId()), kv("run", b.run()),
        kv("error", error));
    repo.fail(control, b, settings.holder(), error).onComplete(ar -> ended.complete());
  }

  /** The table lost its primary key after the backfill started. */
  private static final class NoPrimaryKey extends RuntimeException {
    NoPrimaryKey(TableName table) {
      super("table " + table.display() + " has no primary key", null, false, false);
    }
  }
}
