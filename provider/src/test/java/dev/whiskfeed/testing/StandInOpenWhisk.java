package dev.whiskfeed.testing;

import dev.whiskfeed.testing.TriggerScripts.TriggerId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in OpenWhisk controller on 127.0.0.1 for integration tests: it serves the trigger and rule calls the
 * provider makes, answers fires as scripted, and records every request.
 *
 * <p>By default every trigger exists, has no rules, accepts any key and answers a fire with 202 and an activation
 * id. Scripting methods may be called from any thread, also while requests are in flight.
 */
public final class StandInOpenWhisk implements AutoCloseable {

  private final Vertx vertx;
  private final AuthKeys keys = new AuthKeys();
  private final TriggerScripts scripts = new TriggerScripts();
  private final FireLimits limits = new FireLimits();
  private final StandInAnswers answers = new StandInAnswers(keys, scripts, limits);
  private final Queue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Duration> delayAll = new AtomicReference<>(Duration.ZERO);
  private HttpServer server;

  private StandInOpenWhisk(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts the server on a free port and waits until it listens. */
  public static StandInOpenWhisk start(Vertx vertx) {
    StandInOpenWhisk standIn = new StandInOpenWhisk(vertx);
    standIn.server = await(vertx.createHttpServer().requestHandler(standIn::handle).listen(0, "127.0.0.1"));
    return standIn;
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  @Override
  public void close() {
    await(server.close());
  }

  // --- scripting ------------------------------------------------------------------------------------------------

  /** From now on, requests for {@code namespace} need a key registered for it (401 unknown, 403 another's). */
  public void registerKey(String namespace, String authKey) {
    keys.register(namespace, authKey);
  }

  /** The trigger's rules, named {@code rule} (qualified with the namespace) or {@code ns/rule}. */
  /** From now on this key earns 401 (the user rotated it). */
  public void revokeKey(String authKey) {
    keys.revoke(authKey);
  }

  public void rules(String namespace, String trigger, String... ruleNames) {
    scripts.setRules(new TriggerId(namespace, trigger), Arrays.asList(ruleNames));
  }

  /** The trigger no longer exists: GET, DELETE and fires answer 404. */
  public void deleteTrigger(String namespace, String trigger) {
    scripts.setMissing(new TriggerId(namespace, trigger), true);
  }

  /** The trigger exists (again). */
  public void createTrigger(String namespace, String trigger) {
    scripts.setMissing(new TriggerId(namespace, trigger), false);
  }

  /** Fires of this trigger answer 204 with no body, as OpenWhisk does when no rule is active. */
  public void noActiveRule(String namespace, String trigger) {
    scripts.noActiveRule(new TriggerId(namespace, trigger));
  }

  /** Answers for the next fires of this trigger, one per fire, before any default. */
  public void reply(String namespace, String trigger, Reply... replies) {
    scripts.queue(new TriggerId(namespace, trigger), Arrays.asList(replies));
  }

  /** The answer to this trigger's fires once its queued replies are used up. */
  public void defaultReply(String namespace, String trigger, Reply reply) {
    scripts.setDefault(new TriggerId(namespace, trigger), reply);
  }

  /** Answers {@code fraction} of all fires (after queued replies) with 500, 502, 503, 429 or a dropped connection. */
  public void failRandomly(double fraction, long seed) {
    scripts.failRandomly(fraction, seed);
  }

  /** Answers {@code fraction} of all fires (after queued replies) with one of {@code failures}, drawn evenly. */
  public void failRandomly(double fraction, long seed, Reply... failures) {
    scripts.failRandomly(fraction, seed, Arrays.asList(failures));
  }

  /**
   * OpenWhisk's throttle: from now on {@code namespace} accepts {@code firesPerMinute} fires in any rolling minute and
   * answers the others 429 with a {@code Retry-After} of the seconds until one more would be accepted.
   */
  public void limitFires(String namespace, int firesPerMinute) {
    limits.limit(namespace, firesPerMinute);
  }

  /** Every request is answered this much later (on a timer), on top of a reply's own delay. */
  public void delayAll(Duration delay) {
    delayAll.set(Objects.requireNonNull(delay));
  }

  // --- recording ------------------------------------------------------------------------------------------------

  public List<Recorded> requests() {
    return exchanges.stream().map(Exchange::snapshot).toList();
  }

  public List<Recorded> fires() {
    return exchanges.stream().filter(Exchange::isFire).map(Exchange::snapshot).toList();
  }

  public List<Recorded> fires(String namespace, String trigger) {
    return fires().stream().filter(r -> namespace.equals(r.namespace()) && trigger.equals(r.trigger())).toList();
  }

  public int fireCount() {
    return (int) exchanges.stream().filter(Exchange::isFire).count();
  }

  /** Forgets the recorded requests only. */
  public void clearRequests() {
    exchanges.clear();
  }

  /** Back to the start: no recordings, no keys, no scripts, no delays. */
  public void reset() {
    exchanges.clear();
    keys.clear();
    scripts.clear();
    limits.clear();
    delayAll.set(Duration.ZERO);
  }

  // --- serving --------------------------------------------------------------------------------------------------

  private void handle(HttpServerRequest request) {
    Instant receivedAt = Instant.now();
    request.body().onSuccess(body -> {
      Exchange exchange = new Exchange(request, body.toString(), receivedAt);
      exchanges.add(exchange);
      Reply reply = answers.answer(exchange);
      long delayMs = delayAll.get().plus(reply.delay()).toMillis();
      if (delayMs > 0) {
        vertx.setTimer(delayMs, id -> answers.send(request, exchange, reply));
      } else {
        answers.send(request, exchange, reply);
      }
    });
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("stand-in OpenWhisk: " + e.getMessage(), e);
    }
  }
}
