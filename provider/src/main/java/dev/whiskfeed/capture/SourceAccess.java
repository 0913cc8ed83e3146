package dev.whiskfeed.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.config.DatabaseHosts;
import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.config.SourceNamespaces;
import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.store.FeedRepository;
import dev.whiskfeed.store.FeedRow;
import dev.whiskfeed.store.StoreRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may capture from where: {@code WHISKFEED_SOURCE_NAMESPACES} for the control database and the
 * named sources, {@code WHISKFEED_DATABASE_HOSTS} for a feed's own {@code database} URL. Messages
 * name only what the request named: never another source, host or address.
 */
public final class SourceAccess {
  private static final Logger LOG = LoggerFactory.getLogger(SourceAccess.class);
  /** The one answer to any failure to reach a {@code database} URL: no host, port or errno, so it is no network probe. */
  public static final String CANNOT_CONNECT = "could not connect to the database";
  /** Query parameters that would send the connection somewhere else than the URL's host. */
  private static final Set<String> REDIRECTING = Set.of("host", "hostaddr", "port", "service", "servicefile");

  private final Vertx vertx;
  private final SourceNamespaces namespaces;
  private final DatabaseHosts hosts;

  public SourceAccess(Vertx vertx, SourceNamespaces namespaces, DatabaseHosts hosts) {
    this.vertx = vertx;
    this.namespaces = namespaces;
    this.hosts = hosts;
  }

  /** The name {@code WHISKFEED_SOURCE_NAMESPACES} gives a database: {@code control}, a source's name; null for a URL. */
  public static String databaseName(StoreRef ref) {
    if (ref instanceof StoreRef.Source s) return s.source();
    if (ref.isControl()) return SourceNamespaces.CONTROL;
    return null;
  }

  /** May the namespace capture from the database? (Always, for a {@code database} URL.) */
  public boolean allows(StoreRef ref, String namespace) {
    String name = databaseName(ref);
    return name == null || namespaces.allows(name, namespace);
  }

  /** 403 {@code source_forbidden} naming only the requested database. */
  void requireNamespace(StoreRef ref, String namespace) {
    if (allows(ref, namespace)) return;
    String what = ref.isControl() ? "the control database" : "source '" + databaseName(ref) + "'";
    throw new WhiskfeedException(ErrorCode.SOURCE_FORBIDDEN, "namespace " + namespace + " may not capture from "
        + what + " (the operator's WHISKFEED_SOURCE_NAMESPACES)");
  }

  /**
   * The URL's host passes {@code WHISKFEED_DATABASE_HOSTS}, by name and, when CIDR blocks are
   * listed, by every address it resolves to (resolved off the event loop). A name that does not
   * resolve then gets {@link #CANNOT_CONNECT}, as a closed port does.
   */
  Future<Void> checkHost(String databaseUrl) {
    if (hosts.isEmpty()) return Future.failedFuture(disabled("the database parameter is disabled on this provider"));
    DbUrl url = DbUrl.parse(databaseUrl);
    for (String param : url.query().split("&")) {
      String key = param.split("=", 2)[0].toLowerCase(Locale.ROOT);
      if (REDIRECTING.contains(key)) {
        return Future.failedFuture(WhiskfeedException.invalid("the database parameter may not set " + key
            + " in its query: the host is the URL's own"));
      }
    }
    if (!hosts.allowsName(url.host())) return Future.failedFuture(notAllowed(url.host()));
    if (!hosts.checksAddresses()) return Future.succeededFuture();
    return vertx.<List<InetAddress>>executeBlocking(() -> List.of(InetAddress.getAllByName(bare(url.host()))), false)
        .recover(e -> Future.failedFuture(WhiskfeedException.invalid(CANNOT_CONNECT)))
        .compose(addresses -> hosts.allowsAddresses(addresses) ? Future.succeededFuture()
            : Future.failedFuture(notAllowed(url.host())));
  }

  private static WhiskfeedException notAllowed(String host) {
    return disabled("the database parameter may not name host " + host + " on this provider");
  }

  private static WhiskfeedException disabled(String message) {
    return new WhiskfeedException(ErrorCode.DATABASE_PARAM_DISABLED, message
        + " (the operator's WHISKFEED_DATABASE_HOSTS)");
  }

  private static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** For the start-up log: what a database is open to. */
  public String describe(String databaseName) {
    return namespaces.describe(databaseName);
  }

  /**
   * The start-up log of the upgrade path: one line per database with the namespaces it is open to,
   * and a WARN per existing changes feed its namespace may no longer create there. Those feeds keep
   * capturing; an admin disables them (nothing is disabled silently). Returns the feeds named.
   */
  public Future<List<String>> logStartup(SqlClient control, FeedRepository feeds, Collection<String> sources) {
    List<String> databases = new ArrayList<>();
    databases.add(SourceNamespaces.CONTROL);
    databases.addAll(sources);
    for (String db : databases) {
      LOG.info("{} {} {}", kv("event", "source.namespaces"), kv("source", db), kv("namespaces", describe(db)));
    }
    return feeds.all(control).map(rows -> {
      List<String> named = new ArrayList<>();
      for (FeedRow row : rows) {
        StoreRef ref = storedDatabase(row);
        if (ref == null || allows(ref, row.namespace())) continue;
        String feed = "/" + row.namespace() + "/" + row.trigger();
        named.add(feed);
        LOG.warn("{} {} {} {} {}", kv("event", "feed.source_forbidden"), kv("feed", feed),
            kv("source", databaseName(ref)), kv("state", row.state()),
            kv("action", "keeps capturing; disable it with POST /api/v1/admin/feeds" + feed + "/disable"));
      }
      return named;
    });
  }

  /** The database a stored changes feed reads, from its config alone (no secret opened); null for another kind or a URL. */
  private static StoreRef storedDatabase(FeedRow row) {
    if (!"changes".equals(row.kind())) return null;
    String source = row.config().getString("source");
    if (source != null) return new StoreRef.Source(source);
    return row.config().getValue("database") != null ? null : StoreRef.CONTROL;
  }
}
