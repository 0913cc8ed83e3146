package dev.whiskfeed.app;

import dev.whiskfeed.config.Config;
import dev.whiskfeed.config.ConfigException;
import java.util.HashMap;
import java.util.Map;

/** {@code java -jar whiskfeed-provider.jar [--port N]}: configuration from the environment (API.md). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Config config;
    try {
      config = Config.from(withFlags(System.getenv(), args));
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("whiskfeed: " + e.getMessage());
      System.exit(2);
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

  /** {@code --port N} and {@code --port=N} stand for WHISKFEED_HTTP_PORT. */
  static Map<String, String> withFlags(Map<String, String> env, String[] args) {
    Map<String, String> out = new HashMap<>(env);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--port") && i + 1 < args.length) out.put("WHISKFEED_HTTP_PORT", args[++i]);
      else if (a.startsWith("--port=")) out.put("WHISKFEED_HTTP_PORT", a.substring("--port=".length()));
      else throw new IllegalArgumentException("unknown argument '" + a + "' (supported: --port N)");
    }
    return out;
  }
}
