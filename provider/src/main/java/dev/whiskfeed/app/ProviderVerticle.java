package dev.whiskfeed.app;

import dev.whiskfeed.api.HttpApi;
import dev.whiskfeed.api.LifecycleRoutes;
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
import java.util.Map;

/** The one verticle: builds the plain objects of every package and wires them together. */
final class ProviderVerticle extends VerticleBase {
  private final Config config;
  private final DbUrl db;
  private final byte[] masterKey;
  private volatile int port;
  private EventStores stores;
  private HttpServer server;

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
    Map<FeedKind, KindRules> rules = KindCatalog.rules();
    FeedService feeds = new FeedService(control, new FeedRepository(), new EventRepository(), stores, codec,
        new FeedView(config.publicUrl()), auth, rules, clock);
    Router router = HttpApi.router(vertx, r -> new LifecycleRoutes(feeds).mount(r));
    return vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(false))
        .requestHandler(router)
        .listen(config.httpPort())
        .onSuccess(s -> {
          server = s;
          port = s.actualPort();
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> closeServer = server == null ? Future.succeededFuture() : server.close();
    return closeServer.compose(v -> stores == null ? Future.succeededFuture() : stores.close());
  }
}
