package dev.whiskfeed.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** WHISKFEED_SOURCE_NAMESPACES: its syntax, its defaults, and the start-up errors of a bad value. */
class SourceNamespacesTest {
  private static final Set<String> SOURCES = Set.of("orders", "billing");

  @Test
  void listedDatabasesAreOpenToTheirNamespacesOnly() {
    SourceNamespaces rules = SourceNamespaces.parse("orders=teamA, teamB;billing=*;control=ops", SOURCES, false);
    assertThat(rules.allows("orders", "teamA")).isTrue();
    assertThat(rules.allows("orders", "teamB")).isTrue();
    assertThat(rules.allows("orders", "teamC")).isFalse();
    assertThat(rules.allows("billing", "anyone")).isTrue();
    assertThat(rules.allows("control", "ops")).isTrue();
    assertThat(rules.allows("control", "teamA")).isFalse();
    assertThat(rules.describe("orders")).isEqualTo("teamA,teamB");
    assertThat(rules.describe("billing")).isEqualTo("*");
  }

  @Test
  void anUnlistedDatabaseIsOpenInEmbeddedModeAndClosedWithADatabaseUrl() {
    assertThat(SourceNamespaces.parse("", SOURCES, true).allows("control", "guest")).isTrue();
    assertThat(SourceNamespaces.parse("orders=teamA", SOURCES, true).allows("billing", "guest")).isTrue();
    SourceNamespaces shared = SourceNamespaces.parse("orders=teamA", SOURCES, false);
    assertThat(shared.allows("billing", "teamA")).isFalse();
    assertThat(shared.allows("control", "teamA")).isFalse();
    assertThat(shared.describe("control")).isEqualTo("none");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "orders                 | expected database=namespace,namespace entries separated by ';'",
      "nope=teamA             | 'nope' is neither control nor a source of WHISKFEED_SOURCES",
      "orders=                | orders lists no namespace (leave it out to close it)",
      "orders=a;orders=b      | orders is listed twice",
      "orders=team/a          | 'team/a' (for orders) is not a namespace name or *"})
  void aMalformedValueStopsStartUpNamingTheVariable(String value, String problem) {
    Map<String, String> env = new HashMap<>();
    env.put("WHISKFEED_DB_URL", "postgresql://u:p@db:5432/wf");
    env.put("WHISKFEED_MASTER_KEY", Base64.getEncoder().encodeToString(new byte[32]));
    env.put("WHISKFEED_SOURCES", "orders=postgresql://u:p@o/o;billing=postgresql://u:p@b/b");
    env.put("WHISKFEED_SOURCE_NAMESPACES", value);
    assertThatThrownBy(() -> Config.from(env)).isInstanceOf(ConfigException.class)
        .hasMessage("WHISKFEED_SOURCE_NAMESPACES: " + problem);
  }

  @Test
  void controlIsAReservedSourceName() {
    assertThatThrownBy(() -> Config.from(Map.of("WHISKFEED_SOURCES", "control=postgresql://u:p@h/d")))
        .hasMessage("WHISKFEED_SOURCES: source name 'control' is reserved for the control database");
  }
}
