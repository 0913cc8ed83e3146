package dev.whiskfeed.deliver;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.store.FeedRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery log and the feeds' fire counts, written to the control database in batches, at most
 * once per {@link #WRITE_EVERY_MS}: bookkeeping is on no event's path, and each write is two
 * statements (at 1,000 events/s over 100 feeds, written after every fire, it was two statements for
 * every three events). A lost batch is bookkeeping, not an event: it is not retried, and an outage
 * is logged once, not once per batch. Event loop only.
 */
final class Bookkeeping {
  private static final Logger LOG = LoggerFactory.getLogger(Bookkeeping.class);
  static final long WRITE_EVERY_MS = 50;

  private final Vertx vertx;
  private final Pool control;
  private final FeedRepository feeds;
  private final DeliveryLog log;
  private final List<DeliveryLog.Entry> entries = new ArrayList<>();
  private final Map<Long, Integer> fireCounts = new HashMap<>();
  /** The write in flight, if any. */
  private Future<Void> writing;
  /** The pause after the last write; -1: none, the next entry is written at once. */
  private long pause = -1;
  /** Batches lost since the last one written. */
  private int failed;
  /** Stopping: writes follow one another without the pause. */
  private boolean stopping;

  Bookkeeping(Vertx vertx, Pool control, FeedRepository feeds, DeliveryLog log) {
    this.vertx = vertx;
    this.control = control;
    this.feeds = feeds;
    this.log = log;
  }

  /** One attempt for the delivery log. */
  void attempt(DeliveryLog.Entry entry) {
    entries.add(entry);
    write();
  }

  /** One more fire of a feed (without a maxTriggers reservation, which counted it already); written with the next entry. */
  void fired(long feedId) {
    fireCounts.merge(feedId, 1, Integer::sum);
  }

  /** Writes what is left now, without waiting for the next turn. */
  Future<Void> flush() {
    if (pause >= 0) {
      vertx.cancelTimer(pause);
      pause = -1;
    }
    Future<Void> inFlight = writing == null ? Future.succeededFuture() : writing;
    return inFlight.compose(v -> {
      write();
      return writing == null ? Future.succeededFuture() : writing;
    });
  }

  /** From now on, writes follow one another without the pause (the engine is stopping). */
  void stopping() {
    stopping = true;
  }

  private void write() {
    if (writing != null || pause >= 0 || entries.isEmpty() && fireCounts.isEmpty()) return;
    List<DeliveryLog.Entry> batch = new ArrayList<>(entries);
    entries.clear();
    Long[] ids = fireCounts.keySet().toArray(new Long[0]);
    Integer[] counts = fireCounts.values().toArray(new Integer[0]);
    fireCounts.clear();
    Future<Void> countsWritten = ids.length == 0 ? Future.succeededFuture() : feeds.countFires(control, ids, counts);
    Future<Void> logWritten = batch.isEmpty() ? Future.succeededFuture() : log.insert(control, batch);
    writing = Future.join(countsWritten, logWritten).transform(ar -> {
      writing = null;
      if (ar.failed() && failed++ == 0) {
        LOG.warn("{} {}", kv("event", "bookkeeping.failed"), kv("error", String.valueOf(ar.cause().getMessage())));
      } else if (ar.succeeded() && failed > 0) {
        LOG.info("{} {}", kv("event", "bookkeeping.recovered"), kv("lostBatches", failed));
        failed = 0;
      }
      if (!stopping) {
        pause = vertx.setTimer(WRITE_EVERY_MS, id -> {
          pause = -1;
          write();
        });
      }
      return Future.succeededFuture();
    });
  }
}
