package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FireOutcomeTest {
  private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "200, Delivered", "201, Delivered", "202, Delivered", "204, Delivered", "299, Delivered",
    "408, Retry", "409, Retry", "429, Retry",
    "500, Retry", "502, Retry", "503, Retry", "504, Retry", "599, Retry",
    "400, Disable", "401, Disable", "403, Disable", "404, Disable", "405, Disable", "410, Disable",
    "413, Disable", "422, Disable", "499, Disable",
    "301, Disable", "302, Disable", "304, Disable", "307, Disable",
    "100, Disable", "199, Disable", "600, Disable", "0, Disable"
  })
  void classifiesEveryStatus(int status, String outcome) {
    assertThat(FireOutcome.classify(status, null, null, null, NOW).getClass().getSimpleName()).isEqualTo(outcome);
  }

  @Test
  void deliveredTakesTheActivationIdFromTheBody() {
    assertThat(FireOutcome.classify(202, null, "from-header", "{\"activationId\":\"abc123\"}", NOW))
        .isEqualTo(new FireOutcome.Delivered(202, "abc123"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[1,2]", "{}", "{\"activationId\":42}", "{\"activationId\":\" \"}"})
  void deliveredFallsBackToTheHeader(String body) {
    assertThat(FireOutcome.classify(202, null, "from-header", body, NOW))
        .isEqualTo(new FireOutcome.Delivered(202, "from-header"));
  }

  @Test
  void noContentHasNoActivationId() {
    assertThat(FireOutcome.classify(204, null, null, null, NOW)).isEqualTo(new FireOutcome.Delivered(204, null));
    assertThat(FireOutcome.classify(204, null, "", "", NOW)).isEqualTo(new FireOutcome.Delivered(204, null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
    "404 | {\"error\":\"The requested resource does not exist.\",\"code\":\"x1\"} | Trigger automatically disabled: OpenWhisk answered 404 (The requested resource does not exist.)",
    "401 | {\"error\":\"The supplied authentication is invalid.\"}                 | Trigger automatically disabled: OpenWhisk answered 401 (The supplied authentication is invalid.)",
    "403 | ''                                                                   | Trigger automatically disabled: OpenWhisk answered 403",
    "400 | <html>bad</html>                                                     | Trigger automatically disabled: OpenWhisk answered 400",
    "413 | {\"error\":42}                                                         | Trigger automatically disabled: OpenWhisk answered 413",
    "302 | {\"other\":\"x\"}                                                       | Trigger automatically disabled: OpenWhisk answered 302",
  })
  void disableMessages(int status, String body, String message) {
    assertThat(FireOutcome.classify(status, null, null, body, NOW)).isEqualTo(new FireOutcome.Disable(status, message));
  }

  @Test
  void longErrorTextsAreShortened() {
    String body = "{\"error\":\"" + "x".repeat(5000) + "\"}";
    FireOutcome.Disable d = (FireOutcome.Disable) FireOutcome.classify(404, null, null, body, NOW);
    assertThat(d.message()).startsWith("Trigger automatically disabled: OpenWhisk answered 404 (xxx").hasSizeLessThan(300);
  }

  @Test
  void retryCarriesStatusAndErrorText() {
    assertThat(FireOutcome.classify(503, null, null, "{\"error\":\"overloaded\"}", NOW))
        .isEqualTo(new FireOutcome.Retry(503, null, "OpenWhisk answered 503 (overloaded)"));
  }

  @ParameterizedTest(name = "Retry-After ''{0}''")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
    "120                           | PT2M",
    "0                             | PT0S",
    "' 7 '                         | PT7S",
    "Sun, 22 Nov 2026 06:01:30 GMT | PT1M30S",
    "Sun, 22 Nov 2026 06:00:00 GMT | PT0S",
    "Sun, 22 Nov 2026 05:59:00 GMT | NULL",
    "-5                            | NULL",
    "1.5                           | NULL",
    "soon                          | NULL",
    "99999999999999999999999       | NULL",
    "''                            | NULL",
    "NULL                          | NULL",
  })
  void retryAfter(String header, String expected) {
    FireOutcome.Retry r = (FireOutcome.Retry) FireOutcome.classify(429, header, null, null, NOW);
    assertThat(r.retryAfter()).isEqualTo(expected == null ? null : Duration.parse(expected));
  }

  @Test
  void throttledOnlyFor429() {
    assertThat(((FireOutcome.Retry) FireOutcome.classify(429, null, null, null, NOW)).throttled()).isTrue();
    assertThat(((FireOutcome.Retry) FireOutcome.classify(503, null, null, null, NOW)).throttled()).isFalse();
    assertThat(((FireOutcome.Retry) FireOutcome.failure(new ConnectException("refused"))).throttled()).isFalse();
  }

  @Test
  void failuresAreRetriedWithoutStatus() {
    assertThat(FireOutcome.failure(new ConnectException("Connection refused: localhost/127.0.0.1:3233")))
        .isEqualTo(new FireOutcome.Retry(null, null, "connection error: Connection refused: localhost/127.0.0.1:3233"));
    assertThat(FireOutcome.failure(new TimeoutException("The timeout period of 30000ms has been exceeded")))
        .isEqualTo(new FireOutcome.Retry(null, null, "timeout: The timeout period of 30000ms has been exceeded"));
    assertThat(FireOutcome.failure(new VertxException(new SocketTimeoutException("read timed out"))))
        .isEqualTo(new FireOutcome.Retry(null, null, "timeout: java.net.SocketTimeoutException: read timed out"));
    assertThat(FireOutcome.failure(new IOException())).isEqualTo(new FireOutcome.Retry(null, null, "connection error"));
    assertThat(FireOutcome.failure(null)).isEqualTo(new FireOutcome.Retry(null, null, "connection error"));
  }

  @Test
  void failureMessagesAreShort() {
    FireOutcome.Retry r = (FireOutcome.Retry) FireOutcome.failure(new IOException("y".repeat(10_000)));
    assertThat(r.error()).hasSizeLessThanOrEqualTo(200);
  }
}
