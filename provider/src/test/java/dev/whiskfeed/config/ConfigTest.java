package dev.whiskfeed.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  void defaultsMatchTheContract() {
    Config c = Config.from(Map.of());
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.embeddedDatabase()).isTrue();
    assertThat(c.dataDir().toString()).isEqualTo("./whiskfeed-data");
    assertThat(c.openwhiskUrl().toString()).isEqualTo("http://localhost:3233");
    assertThat(c.publicUrl()).isEqualTo("http://localhost:8080");
    assertThat(c.verifyTriggers()).isTrue();
    assertThat(c.sources()).isEmpty();
    assertThat(c.adminToken()).isEmpty();
    assertThat(c.firesPerMinute()).as("adaptive").isZero();
    assertThat(c.maxConcurrentFires()).isEqualTo(256);
    assertThat(c.minConcurrentFires()).as("the fires in flight follow latency from 8 up").isEqualTo(8);
    assertThat(Config.from(Map.of("WHISKFEED_FIRES_PER_MINUTE", "60")).firesPerMinute()).isEqualTo(60);
  }

  @Test
  void aDatabaseUrlRequiresTheMasterKey() {
    assertThatThrownBy(() -> Config.from(Map.of("WHISKFEED_DB_URL", "postgresql://u:p@db:5432/wf")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("WHISKFEED_MASTER_KEY:");
    Config c = Config.from(Map.of("WHISKFEED_DB_URL", "postgresql://u:p@db:5432/wf", "WHISKFEED_MASTER_KEY", KEY));
    assertThat(c.dbUrl().orElseThrow().host()).isEqualTo("db");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "WHISKFEED_HTTP_PORT|eighty",
      "WHISKFEED_HTTP_PORT|70000",
      "WHISKFEED_DB_URL|mysql://x@y/z",
      "WHISKFEED_DB_URL|postgresql://u:p@db:6432/wf?pooler=transaction",
      "WHISKFEED_SOURCES|orders=postgresql://u:p@db:6432/orders?pooler=session",
      "WHISKFEED_OPENWHISK_URL|ftp://ow",
      "WHISKFEED_MASTER_KEY|c2hvcnQ=",
      "WHISKFEED_MASTER_KEY|not base64!",
      "WHISKFEED_ADMIN_TOKEN|short",
      "WHISKFEED_PUBLIC_URL|localhost:8080",
      "WHISKFEED_VERIFY_TRIGGERS|maybe",
      "WHISKFEED_SOURCES|orders",
      "WHISKFEED_SOURCES|orders=http://x",
      "WHISKFEED_LOG_FORMAT|xml",
      "WHISKFEED_LEASE_SEC|0",
      "WHISKFEED_MASTER_KEY_PREVIOUS|c2hvcnQ=",
      "WHISKFEED_FIRES_PER_MINUTE|-1",
      "WHISKFEED_FIRES_PER_MINUTE|sixty",
      "WHISKFEED_FIRES_PER_MINUTE|1.5",
      "WHISKFEED_MIN_CONCURRENT_FIRES|0",
      "WHISKFEED_MIN_CONCURRENT_FIRES|eight",
  })
  void aBadValueStopsStartUpNamingTheVariable(String name, String value) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(name, value));
    if (!name.equals("WHISKFEED_MASTER_KEY")) env.put("WHISKFEED_MASTER_KEY", KEY);
    assertThatThrownBy(() -> Config.from(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(name + ":")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void thePreviousMasterKeyMustDifferFromTheCurrentOne() {
    assertThatThrownBy(() -> Config.from(Map.of("WHISKFEED_MASTER_KEY", KEY, "WHISKFEED_MASTER_KEY_PREVIOUS", KEY)))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("WHISKFEED_MASTER_KEY_PREVIOUS:");
  }

  @Test
  void sourcesAreNamedUrls() {
    Config c = Config.from(Map.of("WHISKFEED_SOURCES",
        "orders=postgresql://a:b@h1:5432/orders; billing=postgresql://c:d@h2/billing"));
    assertThat(c.sources()).containsOnlyKeys("orders", "billing");
    assertThat(c.sources().get("billing").port()).isEqualTo(5432);
  }

  @Test
  void databaseUrlsNeverPrintTheirPassword() {
    DbUrl url = DbUrl.parse("postgresql://app:s%40cret@db.example:6543/orders?sslmode=require");
    assertThat(url.password()).isEqualTo("s@cret");
    assertThat(url.toString()).doesNotContain("s@cret").contains("db.example:6543/orders");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/orders?sslmode=require").doesNotContain("s@cret");
    assertThat(DbUrl.parse(url.toUri())).isEqualTo(url);
  }

  @Test
  void disabledCaptureHoursDefaultToADayAndTakeFractions() {
    assertThat(Config.from(Map.of()).disabledCapture()).isEqualTo(java.time.Duration.ofHours(24));
    assertThat(Config.from(Map.of("WHISKFEED_DISABLED_CAPTURE_HOURS", "0.5")).disabledCapture())
        .isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(Config.from(Map.of("WHISKFEED_DISABLED_CAPTURE_HOURS", "0")).disabledCapture()).isZero();
  }

  @ParameterizedTest
  @CsvSource({"-1", "soon", "NaN", "Infinity", "100000"})
  void disabledCaptureHoursRefuseWhatIsNoNumberOfHours(String raw) {
    assertThatThrownBy(() -> Config.from(Map.of("WHISKFEED_DISABLED_CAPTURE_HOURS", raw)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("WHISKFEED_DISABLED_CAPTURE_HOURS: ");
  }
}
