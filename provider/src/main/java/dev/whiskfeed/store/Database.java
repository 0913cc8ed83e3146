package dev.whiskfeed.store;

import dev.whiskfeed.config.DbTls;
import dev.whiskfeed.config.DbUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.TrustManagerFactory;

/** Pools and the classification of database failures. */
public final class Database {
  private Database() {}

  /**
   * The client's options for a URL. Behind a transaction pooler ({@link DbUrl#transactionPooler()})
   * the client prepares unnamed statements only and caches none (Vert.x's layer-7 proxy mode: a
   * named statement prepared on one server connection is unknown to the next), and it does not ask
   * for {@code extra_float_digits} at start-up (PgBouncer refuses start-up parameters it does not
   * track; the server's default, 1, prints floats exactly).
   */
  public static PgConnectOptions connectOptions(DbUrl url) {
    DbTls tls = url.tls();
    PgConnectOptions options = new PgConnectOptions()
        .setHost(url.host())
        .setPort(url.port())
        .setDatabase(url.database())
        .setUser(url.user())
        .setPassword(url.password())
        .setSslMode(tls.mode());
    if (tls.mode() != SslMode.DISABLE) options.setSslOptions(sslOptions(tls));
    options.setPipeliningLimit(256).addProperty("application_name", "whiskfeed");
    if (url.transactionPooler()) {
      Map<String, String> properties = new HashMap<>(options.getProperties());
      properties.remove("extra_float_digits");
      return options.setProperties(properties).setUseLayer7Proxy(true).setCachePreparedStatements(false);
    }
    return options.setCachePreparedStatements(true);
  }

  /**
   * The client's TLS for a URL's {@link DbTls}: verify-full checks the chain and the host name
   * (HTTPS rules: DNS and IP subject alternative names), verify-ca the chain only, the other modes
   * encrypt without checking the certificate. The chain is checked against {@code sslrootcert}, or
   * the JVM's default trust store without it.
   */
  static ClientSSLOptions sslOptions(DbTls tls) {
    ClientSSLOptions ssl = new ClientSSLOptions();
    if (!tls.verifiesCertificate()) return ssl.setTrustAll(true).setHostnameVerificationAlgorithm("");
    ssl.setTrustOptions(tls.rootCert() != null ? new PemTrustOptions().addCertPath(tls.rootCert()) : jvmTrust());
    return ssl.setHostnameVerificationAlgorithm(tls.verifiesHost() ? "HTTPS" : "");
  }

  private static TrustOptions jvmTrust() {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      return TrustOptions.wrap(factory);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM's default trust store cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * A condition that makes the transaction of the statement it is part of commit without waiting
   * for its WAL to reach the disk ({@code synchronous_commit = off} for that transaction only).
   * Postgres evaluates it once, before the first row, so any statement that changed a row commits
   * asynchronously. Only for bookkeeping whose loss in a database crash is harmless: leases and
   * outcomes (the events are fired again), the delivery log and fire counts. Never for writing an
   * event.
   */
  public static final String ASYNC_COMMIT = "(SELECT pg_catalog.set_config('synchronous_commit', 'off', true)) = 'off'";

  public static Pool pool(Vertx vertx, DbUrl url, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(10_000).setName("whiskfeed-" + url.database())
            .setShared(false))
        .connectingTo(resolvedOptions(vertx, url))
        .using(vertx)
        .build();
  }

  /** Each new connection's options, with {@code sslmode=prefer} settled by {@link PreferredTls}. */
  private static Supplier<Future<SqlConnectOptions>> resolvedOptions(Vertx vertx, DbUrl url) {
    PgConnectOptions options = connectOptions(url);
    return () -> PreferredTls.resolve(vertx, options).map(o -> o);
  }

  /** One connection of its own (not from a pool), with {@code sslmode=prefer} settled by {@link PreferredTls}. */
  public static Future<PgConnection> connect(Vertx vertx, DbUrl url) {
    return PreferredTls.resolve(vertx, connectOptions(url)).compose(o -> PgConnection.connect(vertx, o));
  }

  static final String GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan";

  /**
   * The one connection a store's claims run on, on generic plans. Left to choose
   * ({@code plan_cache_mode = auto}), Postgres planned a claim again at every execution once the
   * event table held a history: its custom plan looked cheaper than the generic one for the values
   * it got, and a claim that finds nothing (most of them, between events) spent more time being
   * planned than run. The claims' generic plans read the pending index whatever the table's size
   * and statistics, even when made on an empty table. The other statements stay on custom plans
   * where Postgres prefers them: an acknowledgement's generic plan made on a small table reads the
   * whole table. A server without the setting (before Postgres 12) plans the claims as before.
   * Behind a transaction pooler the setting is not made: a session-level {@code SET} would land on
   * whichever server connection the pooler lent, and the client's unnamed statements are planned at
   * every execution anyway.
   */
  public static Pool claimPool(Vertx vertx, DbUrl url) {
    var builder = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1).setMaxWaitQueueSize(10_000).setName("whiskfeed-claims-" + url.database())
            .setShared(false))
        .connectingTo(resolvedOptions(vertx, url));
    if (!url.transactionPooler()) {
      builder = builder.withConnectHandler(conn -> conn.query(GENERIC_PLANS).execute().onComplete(ar -> conn.close()));
    }
    return builder.using(vertx).build();
  }

  /**
   * True when the database is unreachable or the failure may pass on a retry: SQLSTATE class 08
   * (connection), 57P01-57P03 (shutdown), 40001/40P01 (serialization, deadlock), or an I/O error.
   * Class 28 (authentication) and everything else are permanent.
   */
  public static boolean isTransient(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof PgException pg) {
        String state = pg.getSqlState() == null ? "" : pg.getSqlState();
        return state.startsWith("08") || state.startsWith("57P") || state.equals("40001") || state.equals("40P01")
            || state.equals("53300");
      }
      if (c instanceof ConnectException || c instanceof IOException
          || c instanceof io.vertx.core.VertxException && String.valueOf(c.getMessage()).contains("closed")) {
        return true;
      }
    }
    return false;
  }

  /** The SQLSTATE of a Postgres failure, or null. */
  public static String sqlState(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof PgException pg) return pg.getSqlState();
    }
    return null;
  }
}
