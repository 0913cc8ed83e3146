package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.testing.RepoFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The built jar's command line: --version, --help and a refused argument, as a user runs them. */
@Timeout(120)
class CommandLineIT {
  record Run(int exit, String out, String err) {}

  private static Run run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", ProviderProcess.jar().toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    // the answers are short: read both streams after the exit
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static String pomVersion() {
    Matcher m = Pattern.compile("<artifactId>whiskfeed-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(RepoFiles.read("pom.xml"));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void versionPrintsTheMavenVersionAndExitsZero() throws Exception {
    Run r = run("--version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("whiskfeed " + pomVersion() + System.lineSeparator());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() throws Exception {
    Run r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("Usage: java -jar whiskfeed-provider.jar")
        .contains("--version", "WHISKFEED_DB_URL", "WHISKFEED_OPENWHISK_URL", "README.md");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void anUnknownArgumentIsAnErrorWithTheUsageAndExitsTwo() throws Exception {
    Run r = run("--verbose");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("whiskfeed: unknown argument '--verbose'").contains("Usage: java -jar");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void theJarCarriesTheProjectsLicenceAndNotice() throws Exception {
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(ProviderProcess.jar().toFile())) {
      assertThat(new String(jar.getInputStream(jar.getEntry("META-INF/LICENSE")).readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(RepoFiles.read("LICENSE"));
      assertThat(new String(jar.getInputStream(jar.getEntry("META-INF/NOTICE")).readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(RepoFiles.read("NOTICE"));
    }
  }
}
