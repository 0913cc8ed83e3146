package dev.whiskfeed.alarms;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.feed.Reason;
import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.store.AlarmScheduleRepository;
import dev.whiskfeed.store.AlarmScheduleRepository.Due;
import dev.whiskfeed.store.AlarmScheduleRepository.Ended;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.FeedRepository;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns due alarm instants into events. The next fire time of every alarm feed lives in
 * {@code whiskfeed.alarm_schedules}; a pass claims due rows with SKIP LOCKED, in batches, and in the
 * same transaction writes their ALARM events and advances them, so any number of instances produce
 * one event per instant. The timers here are only wake-ups (at the earliest known fire time, at
 * most a second apart); the database decides.
 *
 * <p>A pass also ends schedules whose last event was settled: it disables the feed, or, for a
 * once-feed with {@code deleteAfterFire}, deletes the trigger (and its rules) through OpenWhisk and
 * then the feed. Such a deletion is leased for {@link #END_LEASE}; if OpenWhisk cannot be reached
 * it is tried again once the lease has run out.
 *
 * <p>Time is the injected clock's; tests set it and call {@link #runDue()}.
 */
public final class AlarmScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(AlarmScheduler.class);
  static final String LAST_CRON_MESSAGE = "Automatically disabled after firing last scheduled cron trigger";
  static final String ONCE_MESSAGE = "Automatically disabled after firing once";
  static final String SKIPPED_MESSAGE = "Automatically disabled: the last scheduled instant passed without a fire";
  static final String UNDELIVERED_MESSAGE = ONCE_MESSAGE + "; the fire was not delivered, so the trigger was kept";
  static final int BATCH = 200;
  static final Duration END_LEASE = Duration.ofSeconds(30);
  private static final int END_BATCH = 50;
  private static final long MAX_WAIT_MS = 1000;
  private static final long BUSY_WAIT_MS = 100;

  private final Vertx vertx;
  private final Context context;
  private final Pool control;
  private final FeedCodec codec;
  private final TriggerRemoval removal;
  private final Clock clock;
  private final String holder;
  private final AlarmScheduleRepository schedules = new AlarmScheduleRepository();
  private final FeedRepository feeds = new FeedRepository();
  private final EventRepository events = new EventRepository();
  private Runnable eventsWritten = () -> {};
  private boolean running;
  private boolean failing;
  private long timer = -1;
  private Future<Integer> current = Future.succeededFuture(0);

  /** Built on the context that will run it (the verticle's); every step runs there. */
  public AlarmScheduler(Vertx vertx, Pool control, FeedCodec codec, OpenWhiskClient openwhisk, Clock clock,
                        String holder) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.control = control;
    this.codec = codec;
    this.removal = new TriggerRemoval(openwhisk);
    this.clock = clock;
    this.holder = holder;
  }

  /** Called on this scheduler's context after a pass committed events (the delivery engine's wake-up). */
  public void onEventsWritten(Runnable signal) {
    this.eventsWritten = signal;
  }

  public void start() {
    context.runOnContext(v -> {
      running = true;
      wake();
    });
  }

  /** Stops waking up; a pass in flight may finish (up to a few seconds). */
  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> {
      running = false;
      vertx.cancelTimer(timer);
      current.<Void>mapEmpty().recover(e -> Future.succeededFuture()).timeout(5, TimeUnit.SECONDS)
          .onComplete(ar -> stopped.complete());
    });
    return stopped.future();
  }

  /**
   * Runs every instant due at the clock's now and every settled end, then answers the number of
   * events written. Safe to call at any time and from any thread, also beside the timers and on
   * other instances: the database hands each due row to one transaction.
   */
  public Future<Integer> runDue() {
    Promise<Integer> done = Promise.promise();
    context.runOnContext(v -> pass().onComplete(done));
    return done.future();
  }

  // ---- wake-ups

  private void wake() {
    timer = -1;
    if (!running) return;
    current = pass().onComplete(ar -> {
      report(ar.cause());
      scheduleNext();
    });
  }

  private void scheduleNext() {
    if (!running) return;
    schedules.earliest(control).onComplete(ar -> {
      if (!running) return;
      long delay = ar.succeeded() ? delayUntil(ar.result()) : MAX_WAIT_MS;
      timer = vertx.setTimer(delay, id -> wake());
    });
  }

  // a due row that the last pass left is held by another instance's transaction: look again soon
  private long delayUntil(Optional<Instant> earliest) {
    if (earliest.isEmpty()) return MAX_WAIT_MS;
    long ms = Duration.between(clock.instant(), earliest.get()).toMillis();
    return ms <= 0 ? BUSY_WAIT_MS : Math.min(ms, MAX_WAIT_MS);
  }

  private void report(Throwable failure) {
    if (failure != null && !failing) {
      failing = true;
      LOG.warn("{} {}", kv("event", "alarms.failed"), kv("error", String.valueOf(failure.getMessage())));
    } else if (failure == null && failing) {
      failing = false;
      LOG.info("{}", kv("event", "alarms.recovered"));
    }
  }

  // ---- one pass

  private Future<Integer> pass() {
    return fireDue(0).compose(fired -> endSchedules().map(fired));
  }

  /** Claims and fires batches until a batch comes back short. */
  private Future<Integer> fireDue(int firedSoFar) {
    Instant now = clock.instant();
    return control.withTransaction(tx -> schedules.claimDue(tx, now, BATCH)
            .compose(due -> fireBatch(tx, due, now).map(fired -> new int[] {due.size(), fired})))
        .compose(counts -> {
          if (counts[1] > 0) {
            eventsWritten.run();
            LOG.info("{} {} {}", kv("event", "alarms.fired"), kv("events", counts[1]), kv("due", counts[0]));
          }
          int fired = firedSoFar + counts[1];
          return counts[0] >= BATCH ? fireDue(fired) : Future.succeededFuture(fired);
        });
  }

  private Future<Integer> fireBatch(SqlConnection tx, List<Due> due, Instant now) {
    if (due.isEmpty()) return Future.succeededFuture(0);
    List<Long> firing = new ArrayList<>();
    List<String> payloads = new ArrayList<>();
    List<AlarmScheduleRepository.Due> skippedLast = new ArrayList<>();
    Long[] ids = new Long[due.size()];
    Instant[] next = new Instant[due.size()];
    for (int i = 0; i < due.size(); i++) {
      Due d = due.get(i);
      FireTimes.Step step = step(d, now);
      ids[i] = d.feedId();
      next[i] = step.nextFire();
      if (step.emits()) {
        firing.add(d.feedId());
        payloads.add(step.payload().encode());
      } else if (step.last()) {
        skippedLast.add(d);
      }
    }
    Future<Map<Long, UUID>> written = firing.isEmpty() ? Future.succeededFuture(Map.of())
        : schedules.insertEvents(tx, firing.toArray(new Long[0]), payloads.toArray(new String[0]));
    return written
        .compose(eventIds -> schedules.advance(tx, ids, next, lastEvents(ids, next, eventIds)))
        .compose(v -> Future.all(skippedLast.stream().map(d -> disable(tx, d.feedId(), d.feed(), SKIPPED_MESSAGE)).toList()))
        .map(v -> firing.size());
  }

  private FireTimes.Step step(Due d, Instant now) {
    try {
      String trigger = d.feed().substring(d.feed().lastIndexOf('/') + 1); // feed is /namespace/trigger
      return FireTimes.step(AlarmSpec.restore(d.config(), trigger), d.feedId(), d.nextFire(), now, d.mayFire());
    } catch (WhiskfeedException unreadable) { // not written by AlarmRules: stop it rather than retry forever
      LOG.error("{} {} {}", kv("event", "alarm.config.invalid"), kv("feedId", d.feedId()),
          kv("error", unreadable.getMessage()));
      return new FireTimes.Step(null, null);
    }
  }

  /** The event of each row's last instant: its end waits until that event is settled. */
  private static UUID[] lastEvents(Long[] ids, Instant[] next, Map<Long, UUID> eventIds) {
    UUID[] out = new UUID[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = next[i] == null ? eventIds.get(ids[i]) : null;
    return out;
  }

  // ---- ends

  private Future<Void> endSchedules() {
    Instant now = clock.instant();
    return control.withTransaction(tx -> schedules.claimEnded(tx, now, END_BATCH)
            .compose(ended -> Future.all(ended.stream().map(e -> end(tx, e, now)).toList())
                .map(v -> ended.stream().filter(AlarmScheduler::deletes).map(Ended::feedId).toList())))
        // deletions talk to OpenWhisk: they run beside the next passes instead of holding them up
        .map(deletions -> {
          deletions.forEach(this::deleteFeed);
          return null;
        });
  }

  private static boolean deletes(Ended e) {
    return !"dead".equals(e.eventState()) && !"false".equals(e.config().getString("deleteAfterFire", "false"));
  }

  private Future<Void> end(SqlConnection tx, Ended e, Instant now) {
    if (deletes(e)) return schedules.lease(tx, e.feedId(), holder, now.plus(END_LEASE));
    return disable(tx, e.feedId(), e.feed(), endMessage(e)).compose(v -> schedules.ended(tx, e.feedId()));
  }

  private static String endMessage(Ended e) {
    if (!e.config().containsKey("date")) return LAST_CRON_MESSAGE;
    boolean wantedDelete = !"false".equals(e.config().getString("deleteAfterFire", "false"));
    return wantedDelete && "dead".equals(e.eventState()) ? UNDELIVERED_MESSAGE : ONCE_MESSAGE;
  }

  private Future<Void> disable(SqlConnection tx, long feedId, String feed, String message) {
    return feeds.disable(tx, feedId, Reason.auto(null, message).toJson()).map(disabled -> {
      if (disabled) LOG.info("{} {} {}", kv("event", "feed.disabled"), kv("feed", feed), kv("reason", message));
      return null;
    });
  }

  /** deleteAfterFire: the trigger (and its rules) in OpenWhisk first, then the feed; a failure waits for the lease. */
  private Future<Void> deleteFeed(long feedId) {
    return feeds.findById(control, feedId)
        .compose(row -> row.isEmpty() ? Future.succeededFuture() : deleteFeed(codec.toFeed(row.get())))
        .recover(e -> {
          LOG.warn("{} {} {} {}", kv("event", "alarm.delete.failed"), kv("feedId", feedId),
              kv("error", String.valueOf(e.getMessage())), kv("retryInSec", END_LEASE.toSeconds()));
          return Future.succeededFuture();
        });
  }

  private Future<Void> deleteFeed(Feed feed) {
    boolean withRules = "rules".equals(feed.config().getString("deleteAfterFire"));
    return removal.remove(feed.feedId(), feed.authKey(), withRules)
        .compose(v -> control.withTransaction(tx -> feeds.lock(tx, feed.feedId().namespace(), feed.feedId().trigger())
            .compose(locked -> events.discardPending(tx, feed.id()))
            .compose(discarded -> feeds.delete(tx, feed.id()))))
        .onSuccess(v -> LOG.info("{} {} {}", kv("event", "feed.deleted"), kv("feed", feed.feedId().toString()),
            kv("reason", withRules ? "deleteAfterFire: rules" : "deleteAfterFire: true")));
  }
}
