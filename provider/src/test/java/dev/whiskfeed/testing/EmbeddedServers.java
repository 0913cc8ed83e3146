package dev.whiskfeed.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** How the harness configures zonky's embedded Postgres: quiet, and checking passwords like a real server. */
public final class EmbeddedServers {

  static final String HOST = "localhost";
  static final String SUPER_USER = "postgres";
  static final String SUPER_PASSWORD = "postgres";

  private EmbeddedServers() {}

  /**
   * A builder for a server keeping its files in {@code dataDir} (kept across restarts) and writing initdb, pg_ctl and
   * server output to {@code log}. Port 0 picks a free one.
   */
  static EmbeddedPostgres.Builder builder(Path dataDir, int port, Path log) throws IOException {
    Files.createDirectories(dataDir);
    Path passwordFile = dataDir.resolveSibling("superuser.pw");
    Files.writeString(passwordFile, SUPER_PASSWORD);
    // zonky waits 10 s by default: a restart on a loaded 2-core box (crash recovery included) took longer
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPGStartupWait(java.time.Duration.ofSeconds(60));
    if (Boolean.getBoolean("whiskfeed.test.durable")) {
      // benchmarks measure what users run: zonky's defaults turn fsync and synchronous commit off
      builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on").setServerConfig("max_connections", "300");
    }
    java.util.List<String> preload = new java.util.ArrayList<>();
    if (Boolean.getBoolean("bench.statements")) {
      // where the server's time goes, printed by benchmarks run with -Dbench.statements=true
      preload.add("pg_stat_statements");
      builder.setServerConfig("pg_stat_statements.track", "all").setServerConfig("pg_stat_statements.track_planning", "on");
    }
    String explainMs = System.getProperty("bench.explainMs", "");
    if (!explainMs.isBlank()) {
      // -Dbench.explainMs=20: the plan (with what each node did) of every statement slower than that,
      // those inside functions too, in the server's log, kept in target/postgres-explain
      preload.add("auto_explain");
      builder.setServerConfig("logging_collector", "on")
          .setServerConfig("log_directory", Path.of("target", "postgres-explain").toAbsolutePath().toString());
      builder.setServerConfig("auto_explain.log_min_duration", explainMs)
          .setServerConfig("auto_explain.log_analyze", "on").setServerConfig("auto_explain.log_buffers", "on")
          .setServerConfig("auto_explain.log_nested_statements", "on");
    }
    if (!preload.isEmpty()) builder.setServerConfig("shared_preload_libraries", String.join(",", preload));
    // -Dbench.pgConfig='log_autovacuum_min_duration=0;log_checkpoints=on': any other server setting (with
    // -Dbench.explainMs, what it logs lands in target/postgres-explain too)
    settings(System.getProperty("bench.pgConfig", "")).forEach(builder::setServerConfig);
    // WAL capture (the default where the database allows it): every test database may hold a slot
    builder.setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "200")
        .setServerConfig("max_wal_senders", "40").setServerConfig("max_slot_wal_keep_size", "2GB");
    return builder
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        // zonky hands "locale" entries to initdb as --key=value after its own "-A trust": TCP logins then need the
        // password, as on any real server, so tests of wrong credentials mean the same here as under Docker
        .setLocaleConfig("auth-host", "scram-sha-256")
        .setLocaleConfig("pwfile", passwordFile.toString())
        .setConnectConfig("password", SUPER_PASSWORD)
        .setOutputRedirector(Redirect.appendTo(log.toFile()))
        .setErrorRedirector(Redirect.appendTo(log.toFile()));
  }

  /** {@code "a=1;b=2"} as a map (a benchmark's list of settings given in one system property). */
  public static java.util.Map<String, String> settings(String text) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String pair : text.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0) out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return out;
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
