package dev.whiskfeed.app;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.alarms.AlarmScheduler;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running provider: the database it uses (embedded when none is configured), the migrated
 * control schema, and one Vert.x instance serving the {@link ProviderVerticle}. Started and stopped
 * from a plain thread (main, a shutdown hook, a test), never from an event loop.
 */
public final class Provider implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Provider.class);

  private final Config config;
  private final EmbeddedDatabase embedded;
  private final Vertx vertx;
  private final ProviderVerticle verticle;

  private Provider(Config config, EmbeddedDatabase embedded, Vertx vertx, ProviderVerticle verticle) {
    this.config = config;
    this.embedded = embedded;
    this.vertx = vertx;
    this.verticle = verticle;
  }

  public static Provider start(Config config) throws Exception {
    return start(config, Clock.tickMillis(ZoneOffset.UTC));
  }

  /** With the clock of every time decision (schedules, validation, status dates); tests pass a settable one. */
  public static Provider start(Config config, Clock clock) throws Exception {
    EmbeddedDatabase embedded = config.embeddedDatabase() ? EmbeddedDatabase.start(config.dataDir()) : null;
    try {
      DbUrl db = embedded != null ? embedded.url() : config.dbUrl().orElseThrow();
      byte[] masterKey = config.masterKey().isPresent() ? config.masterKey().get()
          : MasterKeys.loadOrCreate(config.dataDir());
      Migrations.migrateControl(db);
      Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
      ProviderVerticle verticle = new ProviderVerticle(config, db, masterKey, clock);
      try {
        await(vertx.deployVerticle(verticle), 60);
      } catch (Exception e) {
        await(vertx.close(), 10);
        throw e;
      }
      LOG.info("{} {} {} {}", kv("event", "provider.started"), kv("url", "http://localhost:" + verticle.port()),
          kv("database", embedded != null ? "embedded Postgres in " + config.dataDir().toAbsolutePath().normalize() : db.masked()),
          kv("instance", config.instanceId()));
      return new Provider(config, embedded, vertx, verticle);
    } catch (Exception e) {
      if (embedded != null) embedded.close();
      throw e;
    }
  }

  public int port() {
    return verticle.port();
  }

  /** The alarm scheduler of this instance; tests call its {@code runDue()} after setting the clock. */
  public AlarmScheduler alarms() {
    return verticle.alarms();
  }

  public Vertx vertx() {
    return vertx;
  }

  public Config config() {
    return config;
  }

  /** Stops serving, lets in-flight fires finish within the grace period, releases leases, stops the embedded database. */
  @Override
  public void close() throws Exception {
    long budget = config.shutdownGrace().toSeconds() + 15;
    try {
      await(vertx.close(), budget);
    } finally {
      if (embedded != null) embedded.close();
      LOG.info("{}", kv("event", "provider.stopped"));
    }
  }

  static <T> T await(Future<T> future, long seconds) throws Exception {
    CompletableFuture<T> done = future.toCompletionStage().toCompletableFuture();
    return done.get(seconds, TimeUnit.SECONDS);
  }
}
