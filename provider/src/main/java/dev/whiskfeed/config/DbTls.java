package dev.whiskfeed.config;

import io.vertx.pgclient.SslMode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The TLS a database URL asks for, with libpq's meaning: {@code sslmode} ({@code disable},
 * {@code allow}, {@code prefer} (the default), {@code require}, {@code verify-ca},
 * {@code verify-full}) and {@code sslrootcert} (a PEM file of the CA certificates to trust). As in
 * libpq, {@code require} with a root certificate verifies the server's certificate as
 * {@code verify-ca} does. Unlike libpq, {@code verify-*} without {@code sslrootcert} trusts the
 * JVM's default trust store (not {@code ~/.postgresql/root.crt}), and a root certificate with a mode
 * that verifies nothing ({@code disable}, {@code allow}, {@code prefer}) is refused rather than
 * ignored. Besides these, a database URL takes only {@code pooler} ({@link DbUrl#transactionPooler()}):
 * any other parameter is an error, so a typo never leaves a connection less protected than its URL
 * says.
 *
 * @param mode the effective mode, what every client of the provider applies
 * @param rootCert the path of the PEM root certificates, or null
 */
public record DbTls(SslMode mode, String rootCert) {
  public static final DbTls DISABLED = new DbTls(SslMode.DISABLE, null);
  static final String POOLER = "pooler";
  static final String TRANSACTION_POOLER = "transaction";
  private static final String MODES = "disable, allow, prefer, require, verify-ca, verify-full";
  /** pgjdbc's factory over the JVM's default SSL context: verify-* without sslrootcert. */
  private static final String JVM_TRUST_FACTORY = "org.postgresql.ssl.DefaultJavaSSLFactory";

  /** Parses the query of a database URL; throws IllegalArgumentException naming the problem. */
  public static DbTls parse(String query) {
    Map<String, String> params = params(query);
    String modeText = params.remove("sslmode");
    String rootCert = params.remove("sslrootcert");
    String pooler = params.remove(POOLER);
    if (!params.isEmpty()) {
      throw new IllegalArgumentException("unsupported parameter " + params.keySet().iterator().next()
          + " in the database URL (supported: sslmode, sslrootcert, pooler)");
    }
    if (pooler != null && !TRANSACTION_POOLER.equals(pooler)) {
      throw new IllegalArgumentException("pooler must be " + TRANSACTION_POOLER + " (a database reached through a "
          + "pooler in session mode needs no parameter), not '" + pooler + "'");
    }
    SslMode mode;
    try {
      mode = modeText == null ? SslMode.PREFER : SslMode.of(modeText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sslmode must be one of " + MODES);
    }
    if (rootCert != null) {
      if (rootCert.isBlank()) throw new IllegalArgumentException("sslrootcert is empty");
      switch (mode) {
        case DISABLE, ALLOW, PREFER -> throw new IllegalArgumentException(
            "sslrootcert needs sslmode require, verify-ca or verify-full (sslmode " + modeText(mode) + " verifies nothing)");
        case REQUIRE -> mode = SslMode.VERIFY_CA;
        default -> { }
      }
    }
    return new DbTls(mode, rootCert);
  }

  /** True when the server's certificate is checked against trusted CAs. */
  public boolean verifiesCertificate() {
    return mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL;
  }

  /** True when the certificate must also name the host connected to. */
  public boolean verifiesHost() {
    return mode == SslMode.VERIFY_FULL;
  }

  /** The same requirement as pgjdbc URL parameters, for Flyway's and WAL capture's connections. */
  String jdbcQuery() {
    StringBuilder q = new StringBuilder("sslmode=").append(modeText(mode));
    if (rootCert != null) {
      q.append("&sslrootcert=").append(URLEncoder.encode(rootCert, StandardCharsets.UTF_8));
    } else if (verifiesCertificate()) {
      q.append("&sslfactory=").append(JVM_TRUST_FACTORY);
    }
    return q.toString();
  }

  static String modeText(SslMode mode) {
    return mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static Map<String, String> params(String query) {
    Map<String, String> params = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) return params;
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("database URL parameter without a value: " + decode(pair));
      String key = decode(pair.substring(0, eq));
      if (params.put(key, decode(pair.substring(eq + 1))) != null) {
        throw new IllegalArgumentException("database URL parameter " + key + " given twice");
      }
    }
    return params;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
