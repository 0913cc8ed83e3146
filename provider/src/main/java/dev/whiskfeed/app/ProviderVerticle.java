package dev.whiskfeed.app;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.alarms.AlarmScheduler;
import dev.whiskfeed.api.AdminRoutes;
import dev.whiskfeed.api.ApiDocsRoutes;
import dev.whiskfeed.api.ConsoleRoutes;
import dev.whiskfeed.api.HttpApi;
import dev.whiskfeed.api.LifecycleRoutes;
import dev.whiskfeed.api.OperationsRoutes;
import dev.whiskfeed.capture.CaptureWatch;
import dev.whiskfeed.capture.BacklogCap;
import dev.whiskfeed.capture.Backfills;
import dev.whiskfeed.capture.ChangesRules;
import dev.whiskfeed.capture.SourceAccess;
import dev.whiskfeed.capture.SlotGauges;
import dev.whiskfeed.capture.WalCapture;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.feed.AdminService;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedService;
import dev.whiskfeed.feed.FeedView;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.feed.StartupCheck;
import dev.whiskfeed.feed.TriggerAuth;
import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.PreferredTls;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.StoreRef;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.SecretBox;
import dev.whiskfeed.ops.DeliveryMeters;
import dev.whiskfeed.ops.Gauges;
import dev.whiskfeed.ops.RetentionJob;
import dev.whiskfeed.ops.StoreProbe;
import dev.whiskfeed.store.AdminRepository;
import dev.whiskfeed.store.JobLease;
import dev.whiskfeed.store.Retention;
import dev.whiskfeed.store.StoreStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import dev.whiskfeed.deliver.DeliveryEngine;
import dev.whiskfeed.store.Doorbell;
import dev.whiskfeed.deliver.FeedRegistry;
import dev.whiskfeed.deliver.StoreListener;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.hooks.HookIntake;
import dev.whiskfeed.hooks.HookRateLimiter;
import dev.whiskfeed.hooks.HookRoutes;
import dev.whiskfeed.store.HookRepository;

/** The one verticle: builds the plain objects of every package and wires them together. */
final class ProviderVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProviderVerticle.class);
  private final Config config;
  private final DbUrl db;
  private final byte[] masterKey;
  private final Clock clock;
  private final PrometheusMeterRegistry meters;
  private Gauges gauges;
  private RetentionJob retention;
  private volatile int port;
  private EventStores stores;
  private static final long RELOAD_EVERY_MS = 30_000;
  private static final int VERIFY_CONNECTIONS = 16;
  private HttpServer server;
  private DeliveryEngine engine;
  private CaptureWatch watch;
  private ChangesRules changes;
  private BacklogCap backlogCap;
  private SlotGauges slotGauges;
  private AlarmScheduler alarms;
  private long reloadTimer = -1;
  private final List<StoreListener> listeners = new ArrayList<>();

  ProviderVerticle(Config config, DbUrl db, byte[] masterKey, PrometheusMeterRegistry meters, Clock clock) {
    this.config = config;
    this.db = db;
    this.masterKey = masterKey;
    this.meters = meters;
    this.clock = clock;
  }

  int port() {
    return port;
  }

  AlarmScheduler alarms() {
    return alarms;
  }

  @Override
  public Future<?> start() {
    Pool control = Database.pool(vertx, db, config.dbPoolSize());
    stores = new EventStores(vertx, new EventStore(EventStore.CONTROL, db, control, Database.claimPool(vertx, db)),
        config.sources(), config.dbPoolSize());
    FeedCodec codec = new FeedCodec(new SecretBox(masterKey, config.previousMasterKey().orElse(null)));
    // one OpenWhisk client per connection pool: fires (and the alarms' trigger deletions) share the
    // fires' pool; trigger checks get connections of their own, so with every fire connection busy
    // (slow OpenWhisk) a lifecycle call does not wait behind the fires for its authKey check
    OpenWhiskClient fires = new OpenWhiskClient(webClient(config.maxConcurrentFires()), config.openwhiskUrl());
    OpenWhiskClient checks = new OpenWhiskClient(webClient(VERIFY_CONNECTIONS), config.openwhiskUrl());
    TriggerAuth auth = new TriggerAuth(checks, config.verifyTriggers(), codec);
    changes = new ChangesRules(vertx, stores, new SourceAccess(vertx, config.sourceNamespaces(),
        config.databaseHosts()));
    Map<FeedKind, KindRules> rules = KindCatalog.rules(changes, clock);
    FeedView view = new FeedView(config.publicUrl());
    FeedService feeds = new FeedService(control, new FeedRepository(), new EventRepository(), stores, codec,
        view, auth, rules, clock, config.maxFeedsPerNamespace());
    FeedRepository feedRepository = new FeedRepository();
    FeedRegistry registry = new FeedRegistry(new TargetLoader(control, feedRepository, codec, stores));
    engine = new DeliveryEngine(vertx, stores, registry, fires, new ClaimRepository(), feedRepository,
        new DeliveryLog(), new DeliveryEngine.Settings(config.instanceId(), config.lease(), config.pollInterval(),
            config.maxConcurrentFires(), config.minConcurrentFires(), config.firesPerMinute()), new DeliveryMeters(meters, clock), clock);
    Gauge.builder("whiskfeed.fires.in.flight", engine, DeliveryEngine::inFlight)
        .description("fires sent and not yet settled (their outcomes not yet written)").register(meters);
    Gauge.builder("whiskfeed.fires.limit", engine, DeliveryEngine::fireLimit)
        .description("fires this instance may have in flight now: follows their latency, at most "
            + "WHISKFEED_MAX_CONCURRENT_FIRES").register(meters);
    feeds.onEventWritten(engine::wake);
    alarms = new AlarmScheduler(vertx, control, codec, fires, clock, config.instanceId());
    alarms.onEventsWritten(engine::wake);
    feeds.onFeedChanged(id -> changes.wal().announce().compose(v -> registry.reload(id)));
    stores.onOpen(store -> listen(store, registry));
    watch = new CaptureWatch(vertx, control, feedRepository, codec, changes, config.captureCheck(), engine::wake);
    changes.wal().bind(control, feedRepository, codec, engine::wake, Duration.ofSeconds(2), config.instanceId());
    changes.backfills().bind(control, feedRepository, codec, engine::wake, new Backfills.Settings(config.instanceId(),
        config.backfillChunkRows(), config.backfillPause(), config.lease(), Duration.ofSeconds(2), 4));
    feeds.onBackfillStarted(changes.backfills()::kick);
    backlogCap = new BacklogCap(vertx, control, stores, feedRepository, codec, changes, config.maxPendingPerFeed(),
        config.disabledCapture(), clock, config.captureCheck());
    slotGauges = new SlotGauges(vertx, meters, changes.wal(), Duration.ofSeconds(5));
    HookRoutes hooks = new HookRoutes(new HookIntake(control, feedRepository, new HookRepository(), new EventRepository(),
        codec, engine::wake), new HookRateLimiter(clock, 100_000));
    // operations: health, metrics, admin API, retention, start-up check (docs/operations.md)
    StoreProbe probe = new StoreProbe(stores, engine, registry, new StoreStats(), Duration.ofSeconds(2));
    AdminService admin = new AdminService(control, feedRepository, new AdminRepository(), feeds, codec, view, stores,
        clock);
    admin.onEventWritten(engine::wake);
    admin.onFeedChanged(id -> changes.wal().announce().compose(v -> registry.reload(id)));
    gauges = new Gauges(vertx, meters, probe, registry, Duration.ofSeconds(5));
    retention = new RetentionJob(vertx, stores, new JobLease(), new Retention(), meters,
        RetentionJob.Settings.defaults(config.instanceId(), config.retention(), config.deadRetention()));
    StartupCheck startupCheck = new StartupCheck(control, feedRepository, codec, checks, 8);
    Router router = HttpApi.router(vertx, r -> {
      new LifecycleRoutes(feeds).mount(r);
      hooks.mount(r);
      new OperationsRoutes(probe, meters, () -> changes.wal().status()
          .map(list -> list.stream().map(WalCapture.SlotStatus::toJson).toList())).mount(r);
      new AdminRoutes(admin, probe, config.adminToken()).mount(r);
      new ConsoleRoutes(config.adminToken().isPresent()).mount(r);
      new ApiDocsRoutes().mount(r);
    });
    return engine.start()
        .compose(v -> {
          stores.ready().forEach(store -> listen(store, registry));
          return vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(false))
              .requestHandler(router)
              .invalidRequestHandler(HttpApi::invalidRequest)
              .listen(config.httpPort());
        })
        .onSuccess(s -> {
          server = s;
          port = s.actualPort();
          reloadTimer = vertx.setPeriodic(RELOAD_EVERY_MS, id -> registry.loadAll());
          watch.start();
          backlogCap.start();
          alarms.start();
          changes.backfills().start();
          // a configured source becomes an event store with its first trigger-captured feed (TargetLoader);
          // /health probes every one of them meanwhile, and a WAL-only source never gets whiskfeed's schema
          gauges.start();
          slotGauges.start();
          retention.start();
          startupCheck.run();
          changes.access().logStartup(control, feedRepository, config.sources().keySet());
        });
  }

  private WebClient webClient(int connections) {
    return WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setUserAgent("whiskfeed"),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(connections));
  }

  /**
   * LISTEN on a store: its events channel wakes its worker; the control store also carries feed
   * changes. A store behind a transaction pooler cannot LISTEN (its feeds poll): its worker wakes on
   * the engine's timer.
   */
  private void listen(EventStore store, FeedRegistry registry) {
    if (!store.isControl() && store.url().transactionPooler()) return;
    Map<String, Consumer<String>> handlers = new HashMap<>();
    handlers.put(Doorbell.CHANNEL, payload -> engine.wake(store.name()));
    if (store.isControl()) {
      handlers.put(FeedRepository.CHANNEL, payload -> {
        changes.wal().changed();
        if (payload == null) registry.loadAll();
        else registry.reload(Long.parseLong(payload));
      });
    }
    listeners.add(StoreListener.start(vertx, store.name(),
        PreferredTls.known(Database.connectOptions(store.url())), handlers));
  }

  /**
   * Graceful stop: the server takes no new connections and lets requests in flight finish while
   * the engine stops claiming and lets fires in flight finish, both within the grace period; then
   * the engine hands back every lease it still holds, and the connections close.
   */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(reloadTimer);
    if (watch != null) watch.stop();
    if (backlogCap != null) backlogCap.stop();
    if (gauges != null) gauges.stop();
    if (slotGauges != null) slotGauges.stop();
    if (retention != null) retention.stop();
    long graceMs = config.shutdownGrace().toMillis();
    Future<Void> closeServer = server == null ? Future.succeededFuture() : server.shutdown(graceMs, TimeUnit.MILLISECONDS);
    Future<Void> stopAlarms = alarms == null ? Future.succeededFuture() : alarms.stop();
    Future<Void> stopEngine = stopAlarms.transform(ar -> engine == null ? Future.succeededFuture()
        : engine.stop(config.shutdownGrace()));
    // every step runs whatever the previous one came to: a store that is down when we stop keeps
    // its leases until they expire (another instance takes over), which must not keep the rest open
    Future<Void> stopCapture = changes == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      changes.wal().stop(); // releases the slots: a standby instance takes over at once
      return null;
    }, false);
    // each backfill hands its lease back after its current chunk: a restart goes on from there
    Future<Void> stopBackfills = changes == null ? Future.succeededFuture() : changes.backfills().stop();
    return stopStep("server", Future.join(closeServer, stopEngine, stopCapture, stopBackfills))
        .compose(v -> stopStep("listeners", Future.join(listeners.stream().map(StoreListener::close).toList())))
        .compose(v -> stopStep("stores", stores == null ? Future.succeededFuture() : stores.close()));
  }

  private static Future<Void> stopStep(String step, Future<?> done) {
    return done.<Void>mapEmpty().recover(e -> {
      LOG.warn("{} {} {}", kv("event", "provider.stop.incomplete"), kv("step", step),
          kv("error", String.valueOf(e.getMessage())));
      return Future.succeededFuture();
    });
  }
}
