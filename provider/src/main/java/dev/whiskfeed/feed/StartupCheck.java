package dev.whiskfeed.feed;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.ops.Progress;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.FeedRow;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, asks OpenWhisk about the trigger of every active feed with its stored authKey, a
 * few at a time: a trigger deleted while the provider was down (404), or a key that no longer
 * opens it (401, 403), disables the feed with an {@code AUTO} reason, as the OpenWhisk providers do
 * on trigger initialization. An unreachable OpenWhisk changes nothing.
 */
public final class StartupCheck {
  private static final Logger LOG = LoggerFactory.getLogger(StartupCheck.class);
  static final String MESSAGE_SUFFIX = " on trigger initialization";

  private final Pool control;
  private final FeedRepository feeds;
  private final FeedCodec codec;
  private final OpenWhiskClient openwhisk;
  private final int concurrency;

  /** How the check went: feeds checked, disabled, and left alone because OpenWhisk did not answer. */
  public record Result(int checked, int disabled, int unanswered) {}

  public StartupCheck(Pool control, FeedRepository feeds, FeedCodec codec, OpenWhiskClient openwhisk, int concurrency) {
    this.control = control;
    this.feeds = feeds;
    this.codec = codec;
    this.openwhisk = openwhisk;
    this.concurrency = concurrency;
  }

  public Future<Result> run() {
    return feeds.all(control).compose(rows -> {
      Deque<FeedRow> queue = new ArrayDeque<>();
      rows.stream().filter(r -> FeedState.ACTIVE.wireName().equals(r.state())).forEach(queue::add);
      int[] counts = new int[3];
      Progress progress = Progress.of(LOG, "startup.check.progress", queue.size());
      List<Future<Void>> lanes = new ArrayList<>();
      for (int i = 0; i < Math.min(concurrency, queue.size()); i++) lanes.add(lane(queue, counts, progress));
      return Future.join(lanes).map(v -> new Result(counts[0], counts[1], counts[2]));
    }).onSuccess(r -> LOG.info("{} {} {} {}", kv("event", "startup.check"), kv("checked", r.checked()),
        kv("disabled", r.disabled()), kv("unanswered", r.unanswered())));
  }

  /** Checks one feed after another until the queue is empty (the lanes share it). */
  private Future<Void> lane(Deque<FeedRow> queue, int[] counts, Progress progress) {
    Promise<Void> done = Promise.promise();
    next(queue, counts, progress, done);
    return done.future();
  }

  private void next(Deque<FeedRow> queue, int[] counts, Progress progress, Promise<Void> done) {
    FeedRow row = queue.poll();
    if (row == null) {
      done.complete();
      return;
    }
    check(row, counts).onComplete(ar -> {
      progress.step();
      next(queue, counts, progress, done);
    });
  }

  private Future<Void> check(FeedRow row, int[] counts) {
    Feed feed;
    try {
      feed = codec.toFeed(row);
    } catch (RuntimeException e) {
      LOG.warn("{} {} {}", kv("event", "startup.check.failed"), kv("feed", "/" + row.namespace() + "/" + row.trigger()),
          kv("error", "stored credentials cannot be opened with this master key"));
      return Future.succeededFuture();
    }
    counts[0]++;
    return openwhisk.triggerStatus(feed.feedId().qualifiedName(), feed.authKey()).<Void>compose(status -> {
      if (status != 404 && status != 401 && status != 403) return Future.succeededFuture();
      Reason reason = Reason.auto(status, "Trigger automatically disabled: OpenWhisk answered " + status
          + MESSAGE_SUFFIX);
      return feeds.disable(control, feed.id(), reason.toJson()).<Void>map(changed -> {
        if (changed) {
          counts[1]++;
          LOG.warn("{} {} {} {}", kv("event", "feed.disabled"), kv("feed", feed.feedId().toString()),
              kv("statusCode", status), kv("reason", reason.message()));
        }
        return null;
      });
    }).recover(e -> {
      counts[2]++;
      return Future.succeededFuture();
    });
  }
}
