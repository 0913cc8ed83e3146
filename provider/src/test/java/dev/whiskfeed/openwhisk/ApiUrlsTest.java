package dev.whiskfeed.openwhisk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiUrlsTest {
  private final ApiUrls urls = new ApiUrls(URI.create("http://openwhisk:3233"));

  @ParameterizedTest(name = "''{0}'' -> ''{1}''")
  @CsvSource(delimiter = '|', value = {
    "guest                | guest",
    "my trigger           | my%20trigger",
    "' inner  spaces'     | %20inner%20%20spaces",
    "user@example.com_dev | user%40example.com_dev",
    "a-b.c_d              | a-b.c_d",
    "a+b                  | a%2Bb",
    "a/b                  | a%2Fb",
    "100%                 | 100%25",
    "what?#               | what%3F%23",
    "café                 | caf%C3%A9",
    "日本                  | %E6%97%A5%E6%9C%AC",
    "🔥                    | %F0%9F%94%A5"
  })
  void encodesANameAsOnePathSegment(String name, String segment) {
    assertThat(ApiUrls.segment(name)).isEqualTo(segment);
  }

  @Test
  void aTriggerIsUnderItsNamespace() {
    assertThat(urls.trigger(new QualifiedName("user@example.com_dev", "my trigger")))
        .isEqualTo("http://openwhisk:3233/api/v1/namespaces/user%40example.com_dev/triggers/my%20trigger");
  }

  @Test
  void aRuleIsUnderItsNamespace() {
    assertThat(urls.rule(new QualifiedName("gäst", "on fire")))
        .isEqualTo("http://openwhisk:3233/api/v1/namespaces/g%C3%A4st/rules/on%20fire");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://openwhisk:3233", "http://openwhisk:3233/", "http://openwhisk:3233///"})
  void trailingSlashesOfTheBaseAreDropped(String base) {
    assertThat(new ApiUrls(URI.create(base)).trigger(new QualifiedName("guest", "t")))
        .isEqualTo("http://openwhisk:3233/api/v1/namespaces/guest/triggers/t");
  }

  @Test
  void aBaseWithAPathKeepsIt() {
    assertThat(new ApiUrls(URI.create("https://example.com/openwhisk/")).trigger(new QualifiedName("guest", "t")))
        .isEqualTo("https://example.com/openwhisk/api/v1/namespaces/guest/triggers/t");
  }

  @Test
  void aRulesKeyNamesItsNamespaceOrTheDefaultOne() {
    assertThat(QualifiedName.parse("guest/on fire")).isEqualTo(new QualifiedName("guest", "on fire"));
    assertThat(QualifiedName.parse("on fire")).isEqualTo(new QualifiedName("_", "on fire"));
    assertThat(urls.rule(QualifiedName.parse("alone")))
        .isEqualTo("http://openwhisk:3233/api/v1/namespaces/_/rules/alone");
  }
}
