package dev.whiskfeed.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.DecodeException;
import org.junit.jupiter.api.Test;

class ExactJsonTest {
  @Test
  void numbersKeepEveryDigitThroughAJsonObject() {
    String text = "{\"big\":9007199254740993,\"huge\":123456789012345678901234567890,"
        + "\"num\":12345678901234567890.123456789,\"money\":1234567.50,\"small\":0.1,\"neg\":-2.5}";
    assertThat(ExactJson.object(text).encode()).isEqualTo(text);
  }

  @Test
  void nestedValuesAndNullsSurvive() {
    String text = "{\"a\":[1,null,{\"b\":true,\"c\":\"x\\\"y\"}],\"d\":null,\"e\":false,\"f\":{}}";
    assertThat(ExactJson.object(text).encode()).isEqualTo(text);
  }

  @Test
  void onlyObjectsAreAccepted() {
    assertThatThrownBy(() -> ExactJson.object("[1]")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> ExactJson.object("{\"a\":")).isInstanceOf(DecodeException.class);
  }
}
