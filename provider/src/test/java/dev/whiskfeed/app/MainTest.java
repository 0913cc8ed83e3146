package dev.whiskfeed.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
  private static Main.Command parse(String... args) {
    return Main.parse(Map.of("HOME", "/home/u"), args);
  }

  @Test
  void noArgumentsServeWithTheEnvironment() {
    assertThat(parse()).isEqualTo(new Main.Command.Serve(Map.of("HOME", "/home/u")));
  }

  @Test
  void portFlagStandsForTheVariable() {
    assertThat(parse("--port", "9090")).isEqualTo(new Main.Command.Serve(
        Map.of("HOME", "/home/u", "WHISKFEED_HTTP_PORT", "9090")));
    assertThat(parse("--port=9091")).isEqualTo(new Main.Command.Serve(
        Map.of("HOME", "/home/u", "WHISKFEED_HTTP_PORT", "9091")));
  }

  @Test
  void versionAndHelpWinWhereverTheyStand() {
    assertThat(parse("--version")).isInstanceOf(Main.Command.PrintVersion.class);
    assertThat(parse("--port", "1", "--version")).isInstanceOf(Main.Command.PrintVersion.class);
    assertThat(parse("--help")).isInstanceOf(Main.Command.PrintHelp.class);
    assertThat(parse("-h", "--bogus")).isInstanceOf(Main.Command.PrintHelp.class);
  }

  @Test
  void anUnknownArgumentOrAMissingValueIsRefusedByName() {
    assertThat(parse("--bogus")).isEqualTo(new Main.Command.Refuse("unknown argument '--bogus'"));
    assertThat(parse("serve")).isEqualTo(new Main.Command.Refuse("unknown argument 'serve'"));
    assertThat(parse("--port")).isInstanceOf(Main.Command.Refuse.class)
        .satisfies(r -> assertThat(((Main.Command.Refuse) r).message()).startsWith("--port needs a value"));
  }

  @Test
  void theVersionLineAndTheUsageNameTheVersion() {
    assertThat(Main.versionLine()).isEqualTo("whiskfeed " + Version.current());
    assertThat(Main.usage()).contains("whiskfeed " + Version.current(), "--version", "--help", "--port N",
        "WHISKFEED_DB_URL", "WHISKFEED_MASTER_KEY", "WHISKFEED_OPENWHISK_URL", "README.md");
  }
}
