package dev.whiskfeed.actions;

import static dev.whiskfeed.actions.FeedActionTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderAnswerInterpretationTest {
  @Test
  void successReturnsTheBody() throws FeedActionException {
    assertThat(FeedAction.interpret(new ProviderAnswer(200, "{\"status\":\"success\"}")))
        .isEqualTo(json("{\"status\":\"success\"}"));
  }

  @Test
  void emptySuccessIsAnEmptyObject() throws FeedActionException {
    assertThat(FeedAction.interpret(new ProviderAnswer(204, ""))).isEqualTo(json("{}"));
  }

  @Test
  void errorObjectIsReturnedAsIs() throws FeedActionException {
    String body = "{\"error\":\"bad input\",\"code\":\"bad_request\"}";
    assertThat(FeedAction.interpret(new ProviderAnswer(400, body))).isEqualTo(json(body));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "500 | {\"message\":\"x\"} | provider answered 500: {\"message\":\"x\"}",
      "503 | Service Unavailable | provider answered 503: Service Unavailable",
      "404 | [\"error\"]         | provider answered 404: [\"error\"]",
      "401 | ''                  | provider answered 401: (empty body)",
      "200 | [1,2]               | provider answered 200 with a body that is not a JSON object: [1,2]",
      "200 | {oops               | provider answered 200 with a body that is not a JSON object: {oops",
  })
  void otherAnswersBecomeErrors(int status, String body, String message) {
    assertThatThrownBy(() -> FeedAction.interpret(new ProviderAnswer(status, body)))
        .isInstanceOf(FeedActionException.class)
        .hasMessage(message);
  }
}
