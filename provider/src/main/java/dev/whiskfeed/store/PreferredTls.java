package dev.whiskfeed.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.ConnectException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sslmode=prefer} (the default) without the Vert.x client's stray connection. For prefer the
 * client asks for TLS first, and when the server answers that it has none it opens a second
 * connection in plain text, but never closes the first (vertx-pg-client 5.0.10). The server's
 * process for that first connection then waits {@code authentication_timeout} (60 s by default) for
 * a start-up message that never comes; in normal operation that is one idle process per connection
 * for a minute, but a connection made while the server shuts down (a pool or the LISTEN connection
 * reconnecting) holds the shutdown itself: the postmaster waits for that process before it exits.
 *
 * <p>So whiskfeed asks a server itself, once per host and port and process: it sends the TLS request
 * on a connection of its own, reads the answer and closes it. A server without TLS is then reached
 * with {@code sslmode=disable} (the one connection prefer ends with anyway); a server with TLS as
 * before, with the client's prefer. The answer is kept until the process stops: a server that
 * gains TLS later is reached in plain text until the provider restarts.
 */
public final class PreferredTls {
  private static final Logger LOG = LoggerFactory.getLogger(PreferredTls.class);
  /** Postgres's SSLRequest: length 8, code 1234.5679. */
  private static final int SSL_REQUEST = 80877103;
  static final int TIMEOUT_MS = 10_000;
  /** Per host:port, whether the server offered TLS; a failed probe is forgotten, so the next connection asks again. */
  private static final ConcurrentMap<String, Future<Boolean>> OFFERS = new ConcurrentHashMap<>();

  private PreferredTls() {}

  /** The options to connect with: {@code options} unless they prefer TLS from a server that has none. */
  public static Future<PgConnectOptions> resolve(Vertx vertx, PgConnectOptions options) {
    if (options.getSslMode() != SslMode.PREFER || options.isUsingDomainSocket()) return Future.succeededFuture(options);
    String key = key(options);
    Future<Boolean> offer = OFFERS.computeIfAbsent(key, k -> probe(vertx, options));
    return offer
        .onFailure(e -> OFFERS.remove(key, offer))
        .map(tls -> tls ? options : plain(options));
  }

  /**
   * What {@link #resolve} would give, without asking the server: for clients that take fixed
   * options (the LISTEN connection), made after the store's pool has connected.
   */
  public static PgConnectOptions known(PgConnectOptions options) {
    if (options.getSslMode() != SslMode.PREFER || options.isUsingDomainSocket()) return options;
    Future<Boolean> offer = OFFERS.get(key(options));
    return offer != null && offer.succeeded() && !offer.result() ? plain(options) : options;
  }

  private static PgConnectOptions plain(PgConnectOptions options) {
    return new PgConnectOptions(options).setSslMode(SslMode.DISABLE);
  }

  private static String key(PgConnectOptions options) {
    return options.getHost() + ":" + options.getPort();
  }

  /** True when the server answers the TLS request with 'S'. The connection is closed whatever happens. */
  private static Future<Boolean> probe(Vertx vertx, PgConnectOptions options) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(TIMEOUT_MS));
    Promise<Boolean> answer = Promise.promise();
    client.connect(options.getPort(), options.getHost()).onComplete(ar -> {
      if (ar.failed()) {
        answer.tryFail(ar.cause());
        return;
      }
      NetSocket socket = ar.result();
      long timer = vertx.setTimer(TIMEOUT_MS, id -> answer.tryFail(
          new ConnectException("no answer to the TLS request within " + TIMEOUT_MS + " ms")));
      socket.handler(buffer -> answer.tryComplete(buffer.length() > 0 && buffer.getByte(0) == 'S'));
      socket.closeHandler(v -> answer.tryFail(new ConnectException("connection closed before the TLS answer")));
      socket.exceptionHandler(answer::tryFail);
      answer.future().onComplete(done -> {
        vertx.cancelTimer(timer);
        socket.close();
      });
      socket.write(Buffer.buffer(8).appendInt(8).appendInt(SSL_REQUEST));
    });
    return answer.future()
        .onSuccess(tls -> LOG.info("{} {} {}", kv("event", "database.tls.probed"), kv("server", key(options)),
            kv("tls", tls)))
        .eventually(client::close);
  }
}
