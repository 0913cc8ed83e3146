package dev.whiskfeed.app;

import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.ConfigException;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar whiskfeed-provider.jar [--port N] [--version] [--help]}: configuration from the
 * environment (README.md, "Configuration").
 */
public final class Main {
  /** Exit status of a command line or configuration the provider refuses. */
  static final int USAGE_ERROR = 2;

  private Main() {}

  /** What the command line asks for. */
  sealed interface Command {
    /** Start the provider with this environment (the flags folded in). */
    record Serve(Map<String, String> env) implements Command {}

    record PrintVersion() implements Command {}

    record PrintHelp() implements Command {}

    /** A command line the provider does not understand: the message, then the usage, exit 2. */
    record Refuse(String message) implements Command {}
  }

  public static void main(String[] args) {
    Command command = parse(System.getenv(), args);
    if (command instanceof Command.PrintVersion) {
      System.out.println(versionLine());
      return;
    }
    if (command instanceof Command.PrintHelp) {
      System.out.print(usage());
      return;
    }
    if (command instanceof Command.Refuse refuse) {
      System.err.println("whiskfeed: " + refuse.message());
      System.err.print(usage());
      System.exit(USAGE_ERROR);
      return;
    }
    Config config;
    try {
      config = Config.from(((Command.Serve) command).env());
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("whiskfeed: " + e.getMessage());
      System.exit(USAGE_ERROR);
      return;
    }
    // before the first logger exists: pick the log format
    System.setProperty("logback.configurationFile", "whiskfeed-logback-" + config.logFormat() + ".xml");
    Provider provider;
    try {
      provider = Provider.start(config);
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(Main.class).error("whiskfeed could not start: {}", e.toString(), e);
      System.err.println("whiskfeed: could not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    // SIGTERM and SIGINT stop gracefully and exit 0 (a JVM ended by the signal itself exits 143);
    // the hook covers every other way out (System.exit elsewhere, SIGHUP).
    StopSignals.onStop(() -> stop(provider));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(provider), "whiskfeed-shutdown"));
  }

  /** Graceful stop on a signal: 0 when everything settled within the grace period, 1 otherwise. */
  private static void stop(Provider provider) {
    System.exit(close(provider) ? 0 : 1);
  }

  private static boolean close(Provider provider) {
    try {
      provider.close();
      return true;
    } catch (Exception e) {
      System.err.println("whiskfeed: unclean stop: " + e);
      return false;
    } finally {
      // flush the asynchronous log appender before the JVM goes
      if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
        context.stop();
      }
    }
  }

  /**
   * {@code --version} and {@code --help} (or {@code -h}) win over everything else on the line;
   * {@code --port N} and {@code --port=N} stand for WHISKFEED_HTTP_PORT; anything else is refused.
   */
  static Command parse(Map<String, String> env, String[] args) {
    for (String a : args) {
      if (a.equals("--version")) return new Command.PrintVersion();
      if (a.equals("--help") || a.equals("-h")) return new Command.PrintHelp();
    }
    Map<String, String> out = new HashMap<>(env);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--port")) {
        if (i + 1 >= args.length) return new Command.Refuse("--port needs a value, e.g. --port 8080");
        out.put("WHISKFEED_HTTP_PORT", args[++i]);
      } else if (a.startsWith("--port=")) {
        out.put("WHISKFEED_HTTP_PORT", a.substring("--port=".length()));
      } else {
        return new Command.Refuse("unknown argument '" + a + "'");
      }
    }
    return new Command.Serve(out);
  }

  static String versionLine() {
    return "whiskfeed " + Version.current();
  }

  static String usage() {
    return """
        Usage: java -jar whiskfeed-provider.jar [--port N] [--version] [--help]

        whiskfeed %s, a feed provider for Apache OpenWhisk: fires OpenWhisk triggers for Postgres
        row changes (changes feeds), HTTP hooks (webhook feeds) and schedules (alarm feeds), at least
        once. It serves the lifecycle API the feed actions call, the hook URLs, /health and /metrics
        on one HTTP port, and runs until SIGTERM or Ctrl-C.

        Options:
          --port N    HTTP port (the same as WHISKFEED_HTTP_PORT; default 8080)
          --version   print the version and exit
          --help, -h  print this help and exit

        Configuration comes from environment variables; the main ones:
          WHISKFEED_DB_URL         control database, postgresql://user:pass@host:port/db
                                   (unset: an embedded Postgres under WHISKFEED_DATA_DIR)
          WHISKFEED_DATA_DIR       embedded Postgres files and the development master key
                                   (default ./whiskfeed-data)
          WHISKFEED_MASTER_KEY     base64 of 32 bytes sealing stored secrets; required with
                                   WHISKFEED_DB_URL
          WHISKFEED_OPENWHISK_URL  OpenWhisk API host (default http://localhost:3233)
          WHISKFEED_ADMIN_TOKEN    bearer token of the admin API (unset: no admin API)
          WHISKFEED_SOURCES        source databases of changes feeds, name=postgresql://…;…
          WHISKFEED_LOG_FORMAT     json (default) or text

        Every variable, with its default, is in the configuration table of README.md
        ("Configuration"); operating the provider is described in docs/operations.md.
        """.formatted(Version.current());
  }
}
