package dev.whiskfeed.app;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.alarms.AlarmScheduler;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.MasterKeyRotation;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.ZoneOffset;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
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
  private final PrometheusMeterRegistry meters;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private Provider(Config config, EmbeddedDatabase embedded, Vertx vertx, ProviderVerticle verticle,
                   PrometheusMeterRegistry meters) {
    this.config = config;
    this.embedded = embedded;
    this.vertx = vertx;
    this.verticle = verticle;
    this.meters = meters;
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
      Migrations.migrateControl(db, new SecretBox(masterKey, config.previousMasterKey().orElse(null)));
      if (config.previousMasterKey().isPresent()) {
        MasterKeyRotation.Result moved = MasterKeyRotation.reseal(db,
            new SecretBox(masterKey, config.previousMasterKey().get()));
        LOG.info("{} {} {}", kv("event", "master_key.rotated"), kv("resealed", moved.resealed()),
            kv("unreadable", moved.unreadable()));
      }
      // one registry per provider (tests run several in one JVM): Vert.x, JVM and whiskfeed meters
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      buildInfo(meters);
      Vertx vertx = Vertx.builder()
          .with(new VertxOptions().setPreferNativeTransport(false).setMetricsOptions(
              new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
          .withMetrics(new MicrometerMetricsFactory(meters))
          .build();
      ProviderVerticle verticle = new ProviderVerticle(config, db, masterKey, meters, clock);
      try {
        await(vertx.deployVerticle(verticle), 60);
      } catch (Exception e) {
        await(vertx.close(), 10);
        throw e;
      }
      LOG.info("{} {} {} {} {}", kv("event", "provider.started"), kv("version", Version.current()),
          kv("url", "http://localhost:" + verticle.port()),
          kv("database", embedded != null ? "embedded Postgres in " + config.dataDir().toAbsolutePath().normalize() : db.masked()),
          kv("instance", config.instanceId()));
      return new Provider(config, embedded, vertx, verticle, meters);
    } catch (Exception e) {
      if (embedded != null) embedded.close();
      throw e;
    }
  }

  /** {@code whiskfeed_build_info{version, java} 1}: which build runs where, for dashboards and upgrades. */
  private static void buildInfo(MeterRegistry meters) {
    Gauge.builder("whiskfeed.build.info", () -> 1)
        .description("always 1; the labels name the provider's version and the Java runtime")
        .tags("version", Version.current(), "java", System.getProperty("java.version"))
        .register(meters);
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

  /**
   * Stops serving, lets in-flight fires finish within the grace period, releases leases, stops the
   * embedded database. Idempotent: a signal handler and a shutdown hook may both call it.
   */
  @Override
  public void close() throws Exception {
    if (!closed.compareAndSet(false, true)) return;
    long budget = config.shutdownGrace().toSeconds() + 15;
    try {
      await(vertx.close(), budget);
    } finally {
      meters.close();
      if (embedded != null) embedded.close();
      LOG.info("{}", kv("event", "provider.stopped"));
    }
  }

  static <T> T await(Future<T> future, long seconds) throws Exception {
    CompletableFuture<T> done = future.toCompletionStage().toCompletableFuture();
    return done.get(seconds, TimeUnit.SECONDS);
  }
}
