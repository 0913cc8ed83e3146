package dev.whiskfeed.it;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.config.Config;
import dev.whiskfeed.testing.TestDatabase;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** An in-process provider on a test database, pointed at a stand-in OpenWhisk. */
public final class TestProvider {
  /** A fixed master key, so a restarted provider opens what the first one sealed. */
  public static final String MASTER_KEY = Base64.getEncoder().encodeToString(
      "whiskfeed-test-master-key-32byte".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

  private TestProvider() {}

  public static Map<String, String> env(TestDatabase db, String openwhiskUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("WHISKFEED_DB_URL", db.url());
    env.put("WHISKFEED_MASTER_KEY", MASTER_KEY);
    env.put("WHISKFEED_HTTP_PORT", "0");
    env.put("WHISKFEED_OPENWHISK_URL", openwhiskUrl);
    env.put("WHISKFEED_POLL_INTERVAL_MS", "200");
    env.put("WHISKFEED_LEASE_SEC", "5");
    env.put("WHISKFEED_SHUTDOWN_GRACE_SEC", "2");
    env.put("WHISKFEED_DB_POOL_SIZE", "4");
    env.put("WHISKFEED_INSTANCE_ID", "test-" + System.nanoTime());
    // with WHISKFEED_DB_URL set every database is closed unless listed: the tests' operator opens the
    // control database to every namespace (a test with sources lists them, a tenancy test narrows it)
    env.put("WHISKFEED_SOURCE_NAMESPACES", "control=*");
    // the test databases are local; a test of the default (the database parameter refused) sets it to ""
    env.put("WHISKFEED_DATABASE_HOSTS", "localhost,127.0.0.1");
    return env;
  }

  public static Provider start(TestDatabase db, String openwhiskUrl) {
    return start(env(db, openwhiskUrl));
  }

  public static Provider start(Map<String, String> env) {
    try {
      return Provider.start(Config.from(env));
    } catch (Exception e) {
      throw new IllegalStateException("provider did not start", e);
    }
  }

  public static Provider start(TestDatabase db, String openwhiskUrl, Map<String, String> overrides) {
    Map<String, String> env = env(db, openwhiskUrl);
    env.putAll(overrides);
    return start(env);
  }
}
