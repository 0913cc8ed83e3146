package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Started as the README says (the jar, no database configured: an embedded Postgres on a fresh data
 * directory, the production log configuration), the provider logs no WARN or ERROR: a newcomer's
 * first start shows nothing that looks like a problem.
 */
@Timeout(180)
class QuietStartIT {
  @Test
  void aCleanStartLogsNoWarning(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("provider.log");
    // only what the README's first start cannot take for granted on a test machine: a free port, a fresh directory
    Map<String, String> env = Map.of("WHISKFEED_HTTP_PORT", "0", "WHISKFEED_DATA_DIR", dir.resolve("data").toString());
    ProviderProcess provider = ProviderProcess.start(env, log);
    try {
      // start-up is done once the first probe answered and the trigger check ran
      await().atMost(Duration.ofSeconds(60)).until(() -> provider.output().contains("\"startup.check\"")
          && provider.output().contains("\"store.connected\""));
      assertThat(Ops.get(provider.port(), "/health", null).status()).isEqualTo(200);
    } finally {
      assertThat(provider.terminate()).as("exit status after SIGTERM").isZero();
    }
    List<String> lines = provider.output().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as("the log").isNotEmpty();
    for (String line : lines) {
      assertThat(line).as("every line is one JSON object (nothing printed around the logger)").startsWith("{");
      assertThat(new JsonObject(line).getString("level")).as(line).isEqualTo("INFO");
    }
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"provider.started\""));
  }
}
