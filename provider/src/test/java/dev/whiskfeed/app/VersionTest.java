package dev.whiskfeed.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.testing.RepoFiles;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class VersionTest {
  @Test
  void theVersionIsTheMavenProjectVersion() {
    Matcher parent = Pattern.compile("<artifactId>whiskfeed-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(RepoFiles.read("pom.xml"));
    assertThat(parent.find()).as("the parent pom's version").isTrue();
    assertThat(Version.current()).isEqualTo(parent.group(1));
  }
}
