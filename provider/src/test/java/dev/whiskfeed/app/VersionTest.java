package dev.whiskfeed.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.testing.RepoFiles;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class VersionTest {
  private static String pomVersion() {
    Matcher parent = Pattern.compile("<artifactId>whiskfeed-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(RepoFiles.read("pom.xml"));
    assertThat(parent.find()).as("the parent pom's version").isTrue();
    return parent.group(1);
  }

  @Test
  void theVersionIsTheMavenProjectVersion() {
    assertThat(Version.current()).isEqualTo(pomVersion());
  }

  /** The places a release must not forget: the OpenAPI document's version and the changelog's section. */
  @Test
  void theOpenApiDocumentAndTheChangelogNameTheVersionBeingBuilt() {
    String release = pomVersion().replace("-SNAPSHOT", "");
    assertThat(RepoFiles.read("docs/openapi.yaml")).containsPattern("(?m)^  version: " + Pattern.quote(release) + "$");
    assertThat(RepoFiles.read("CHANGELOG.md")).containsPattern("(?m)^## \\[" + Pattern.quote(release) + "]");
  }
}
