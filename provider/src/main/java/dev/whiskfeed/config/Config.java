package dev.whiskfeed.config;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything the provider reads from its environment, parsed and validated once at start-up. A bad
 * value throws {@link ConfigException} naming the variable (API.md's table, plus tuning knobs).
 */
public record Config(
    int httpPort,
    Optional<DbUrl> dbUrl,
    Path dataDir,
    URI openwhiskUrl,
    Optional<byte[]> masterKey,
    Optional<String> adminToken,
    String publicUrl,
    boolean verifyTriggers,
    Map<String, DbUrl> sources,
    String instanceId,
    String logFormat,
    Duration lease,
    Duration pollInterval,
    int maxConcurrentFires,
    int minConcurrentFires,
    Duration shutdownGrace,
    Duration retention,
    Duration deadRetention,
    int dbPoolSize,
    Duration captureCheck,
    Optional<byte[]> previousMasterKey,
    SourceNamespaces sourceNamespaces,
    DatabaseHosts databaseHosts,
    int maxFeedsPerNamespace,
    int maxPendingPerFeed,
    int firesPerMinute,
    Duration disabledCapture,
    int backfillChunkRows,
    Duration backfillPause) {

  public Config {
    sources = Map.copyOf(sources);
    if (previousMasterKey.isPresent() && masterKey.isPresent()
        && java.util.Arrays.equals(previousMasterKey.get(), masterKey.get())) {
      throw new ConfigException("WHISKFEED_MASTER_KEY_PREVIOUS", "is the same key as WHISKFEED_MASTER_KEY");
    }
    if (dbUrl.isPresent() && masterKey.isEmpty()) {
      throw new ConfigException("WHISKFEED_MASTER_KEY",
          "required when WHISKFEED_DB_URL is set (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
    }
  }

  public boolean embeddedDatabase() {
    return dbUrl.isEmpty();
  }

  /** Reads the process environment. */
  public static Config fromEnvironment() {
    return from(System.getenv());
  }

  public static Config from(Map<String, String> env) {
    Reader r = new Reader(env);
    int port = r.intValue("WHISKFEED_HTTP_PORT", 8080, 0, 65535);
    Optional<DbUrl> dbUrl = r.optional("WHISKFEED_DB_URL", Config::controlUrl);
    Map<String, DbUrl> sources = r.value("WHISKFEED_SOURCES", "", Config::sources);
    return new Config(
        port,
        dbUrl,
        r.value("WHISKFEED_DATA_DIR", "./whiskfeed-data", Path::of),
        r.value("WHISKFEED_OPENWHISK_URL", "http://localhost:3233", Config::httpUri),
        r.optional("WHISKFEED_MASTER_KEY", Config::masterKey),
        r.optional("WHISKFEED_ADMIN_TOKEN", Config::adminToken),
        r.value("WHISKFEED_PUBLIC_URL", "http://localhost:" + port, s -> stripSlash(httpUri(s).toString())),
        r.value("WHISKFEED_VERIFY_TRIGGERS", "true", Config::bool),
        sources,
        r.value("WHISKFEED_INSTANCE_ID", defaultInstanceId(), Config::instanceId),
        r.value("WHISKFEED_LOG_FORMAT", "json", Config::logFormat),
        Duration.ofSeconds(r.intValue("WHISKFEED_LEASE_SEC", 30, 2, 3600)),
        Duration.ofMillis(r.intValue("WHISKFEED_POLL_INTERVAL_MS", 1000, 10, 60_000)),
        r.intValue("WHISKFEED_MAX_CONCURRENT_FIRES", 256, 1, 10_000),
        r.intValue("WHISKFEED_MIN_CONCURRENT_FIRES", 8, 1, 10_000),
        Duration.ofSeconds(r.intValue("WHISKFEED_SHUTDOWN_GRACE_SEC", 20, 0, 3600)),
        Duration.ofHours(r.intValue("WHISKFEED_RETENTION_HOURS", 7 * 24, 1, 24 * 3650)),
        Duration.ofHours(r.intValue("WHISKFEED_DEAD_RETENTION_HOURS", 30 * 24, 1, 24 * 3650)),
        r.intValue("WHISKFEED_DB_POOL_SIZE", 8, 1, 200),
        Duration.ofMillis(r.intValue("WHISKFEED_CAPTURE_CHECK_MS", 30_000, 100, 3_600_000)),
        r.optional("WHISKFEED_MASTER_KEY_PREVIOUS", Config::masterKey),
        r.value("WHISKFEED_SOURCE_NAMESPACES", "",
            s -> SourceNamespaces.parse(s, sources.keySet(), dbUrl.isEmpty())),
        r.value("WHISKFEED_DATABASE_HOSTS", "", DatabaseHosts::parse),
        r.intValue("WHISKFEED_MAX_FEEDS_PER_NAMESPACE", 1000, 1, 10_000_000),
        r.intValue("WHISKFEED_MAX_PENDING_PER_FEED", 1_000_000, 1, 1_000_000_000),
        r.intValue("WHISKFEED_FIRES_PER_MINUTE", 0, 0, 1_000_000),
        r.value("WHISKFEED_DISABLED_CAPTURE_HOURS", "24", Config::hours),
        r.intValue("WHISKFEED_BACKFILL_CHUNK_ROWS", 1000, 1, 100_000),
        Duration.ofMillis(r.intValue("WHISKFEED_BACKFILL_PAUSE_MS", 0, 0, 60_000)));
  }

  /** Hours, a fraction allowed ({@code 0.5} is 30 minutes); 0 stops a disabled feed's capture at the next check. */
  static Duration hours(String raw) {
    double h;
    try {
      h = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number of hours");
    }
    if (!(h >= 0 && h <= 24 * 3650)) {
      throw new IllegalArgumentException("must be between 0 and " + 24 * 3650 + " hours, was " + raw);
    }
    return Duration.ofMillis(Math.round(h * 3_600_000));
  }

  private static final class Reader {
    private final Map<String, String> env;

    Reader(Map<String, String> env) {
      this.env = env;
    }

    <T> T value(String name, String fallback, Function<String, T> parse) {
      String raw = env.get(name);
      return parse(name, raw == null || raw.isBlank() ? fallback : raw.trim(), parse);
    }

    <T> Optional<T> optional(String name, Function<String, T> parse) {
      String raw = env.get(name);
      return raw == null || raw.isBlank() ? Optional.empty() : Optional.of(parse(name, raw.trim(), parse));
    }

    int intValue(String name, int fallback, int min, int max) {
      int v = value(name, Integer.toString(fallback), Integer::parseInt);
      if (v < min || v > max) throw new ConfigException(name, "must be between " + min + " and " + max + ", was " + v);
      return v;
    }

    private static <T> T parse(String name, String raw, Function<String, T> parse) {
      try {
        return parse.apply(raw);
      } catch (ConfigException e) {
        throw e;
      } catch (RuntimeException e) {
        String why = e instanceof NumberFormatException ? "not a whole number" : e.getMessage();
        throw new ConfigException(name, why == null ? "invalid value" : why);
      }
    }
  }

  /** The control database LISTENs for feed changes: it cannot be reached through a transaction pooler. */
  static DbUrl controlUrl(String s) {
    DbUrl url = DbUrl.parse(s);
    if (url.transactionPooler()) {
      throw new IllegalArgumentException("the control database cannot be reached through a transaction pooler "
          + "(pooler=transaction is for WHISKFEED_SOURCES and a feed's database)");
    }
    return url;
  }

  static URI httpUri(String s) {
    URI uri = URI.create(s);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("expected an http:// or https:// URL");
    }
    return uri;
  }

  static byte[] masterKey(String s) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64");
    }
    if (key.length != 32) throw new IllegalArgumentException("must be base64 of exactly 32 bytes, got " + key.length);
    return key;
  }

  static String adminToken(String s) {
    if (s.length() < 16) throw new IllegalArgumentException("must be at least 16 characters");
    return s;
  }

  static boolean bool(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    };
  }

  /** {@code name=postgresql://…;name2=postgresql://…}. */
  static Map<String, DbUrl> sources(String s) {
    Map<String, DbUrl> out = new LinkedHashMap<>();
    for (String entry : s.split(";")) {
      if (entry.isBlank()) continue;
      int eq = entry.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("expected name=postgresql://… entries separated by ';'");
      String name = entry.substring(0, eq).trim();
      if (!name.matches("[A-Za-z][A-Za-z0-9_-]{0,62}")) {
        throw new IllegalArgumentException("source name '" + name + "' must be letters, digits, '_' or '-'");
      }
      if (name.equals(SourceNamespaces.CONTROL)) {
        throw new IllegalArgumentException("source name 'control' is reserved for the control database");
      }
      try {
        if (out.put(name, DbUrl.parse(entry.substring(eq + 1))) != null) {
          throw new IllegalArgumentException("source '" + name + "' is named twice");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("source '" + name + "': " + e.getMessage());
      }
    }
    return out;
  }

  static String instanceId(String s) {
    if (s.length() > 100) throw new IllegalArgumentException("must be at most 100 characters");
    return s;
  }

  static String logFormat(String s) {
    if (!s.equals("json") && !s.equals("text")) throw new IllegalArgumentException("must be json or text");
    return s;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  @Override
  public String toString() {
    return "Config[port=" + httpPort + ", db=" + dbUrl.map(DbUrl::masked).orElse("embedded") + ", openwhisk="
        + openwhiskUrl + ", instance=" + instanceId + "]";
  }
}
