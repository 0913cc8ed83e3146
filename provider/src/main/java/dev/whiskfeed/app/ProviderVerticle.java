package dev.whiskfeed.app;

import dev.whiskfeed.api.HttpApi;
import dev.whiskfeed.api.LifecycleRoutes;
import dev.whiskfeed.capture.CaptureWatch;
import dev.whiskfeed.capture.ChangesRules;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.feed.FeedCodec;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedService;
import dev.whiskfeed.feed.FeedView;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.feed.TriggerAuth;
import dev.whiskfeed.feed.TriggerVerifier;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.EventRepository;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.SecretBox;
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
import dev.whiskfeed.deliver.DeliveryMetrics;
import dev.whiskfeed.deliver.Doorbell;
import dev.whiskfeed.deliver.FeedRegistry;
import dev.whiskfeed.deliver.OpenWhiskClient;
import dev.whiskfeed.deliver.StoreListener;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.hooks.HookIntake;
import dev.whiskfeed.hooks.HookRateLimiter;
import dev.whiskfeed.hooks.HookRoutes;
import dev.whiskfeed.store.HookRepository;

/** The one verticle: builds the plain objects of every package and wires them together. */
final class ProviderVerticle extends VerticleBase {
  private final Config config;
  private final DbUrl db;
  private final byte[] masterKey;
  private volatile int port;
  private EventStores stores;
  private static final long RELOAD_EVERY_MS = 30_000;
  private HttpServer server;
  private DeliveryEngine engine;
  private CaptureWatch watch;
  private long reloadTimer = -1;
  private final List<StoreListener> listeners = new ArrayList<>();

  ProviderVerticle(Config config, DbUrl db, byte[] masterKey) {
    this.config = config;
    this.db = db;
    this.masterKey = masterKey;
  }

  int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    Clock clock = Clock.tickMillis(java.time.ZoneOffset.UTC);
    Pool control = Database.pool(vertx, db, config.dbPoolSize());
    stores = new EventStores(vertx, new EventStore(EventStore.CONTROL, db, control), config.sources(),
        config.dbPoolSize());
    FeedCodec codec = new FeedCodec(new SecretBox(masterKey));
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setUserAgent("whiskfeed"),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.maxConcurrentFires()));
    TriggerAuth auth = new TriggerAuth(new TriggerVerifier(web, config.openwhiskUrl()), config.verifyTriggers(), codec);
    ChangesRules changes = new ChangesRules(vertx, stores);
    Map<FeedKind, KindRules> rules = KindCatalog.rules(changes);
    FeedService feeds = new FeedService(control, new FeedRepository(), new EventRepository(), stores, codec,
        new FeedView(config.publicUrl()), auth, rules, clock);
    FeedRepository feedRepository = new FeedRepository();
    FeedRegistry registry = new FeedRegistry(new TargetLoader(control, feedRepository, codec, stores));
    engine = new DeliveryEngine(vertx, stores, registry, new OpenWhiskClient(web, config.openwhiskUrl(), clock),
        new ClaimRepository(), feedRepository, new DeliveryLog(),
        new DeliveryEngine.Settings(config.instanceId(), config.lease(), config.pollInterval(),
            config.maxConcurrentFires()), DeliveryMetrics.NONE);
    feeds.onEventWritten(engine::wake);
    feeds.onFeedChanged(registry::reload);
    stores.onOpen(store -> listen(store, registry));
    watch = new CaptureWatch(vertx, control, feedRepository, codec, changes, config.captureCheck(), engine::wake);
    HookRoutes hooks = new HookRoutes(new HookIntake(control, feedRepository, new HookRepository(), new EventRepository(),
        codec, engine::wake), new HookRateLimiter(clock, 100_000));
    Router router = HttpApi.router(vertx, r -> {
      new LifecycleRoutes(feeds).mount(r);
      hooks.mount(r);
    });
    return engine.start()
        .compose(v -> {
          stores.ready().forEach(store -> listen(store, registry));
          return vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(false))
              .requestHandler(router)
              .listen(config.httpPort());
        })
        .onSuccess(s -> {
          server = s;
          port = s.actualPort();
          reloadTimer = vertx.setPeriodic(RELOAD_EVERY_MS, id -> registry.loadAll());
          watch.start();
        });
  }

  /** LISTEN on a store: its events channel wakes its worker; the control store also carries feed changes. */
  private void listen(EventStore store, FeedRegistry registry) {
    Map<String, Consumer<String>> handlers = new HashMap<>();
    handlers.put(Doorbell.CHANNEL, payload -> engine.wake(store.name()));
    if (store.isControl()) {
      handlers.put(FeedRepository.CHANNEL, payload -> {
        if (payload == null) registry.loadAll();
        else registry.reload(Long.parseLong(payload));
      });
    }
    listeners.add(StoreListener.start(vertx, store.name(), Database.connectOptions(store.url()), handlers));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(reloadTimer);
    if (watch != null) watch.stop();
    Future<Void> closeServer = server == null ? Future.succeededFuture() : server.close();
    return closeServer
        .compose(v -> engine == null ? Future.succeededFuture() : engine.stop(config.shutdownGrace()))
        .compose(v -> Future.join(listeners.stream().map(StoreListener::close).toList()))
        .compose(v -> stores == null ? Future.succeededFuture() : stores.close());
  }
}
