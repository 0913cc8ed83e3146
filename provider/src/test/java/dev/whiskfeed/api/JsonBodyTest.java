package dev.whiskfeed.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyTest {
  @Test
  void parsesObjects() {
    assertThat(JsonBody.object(Buffer.buffer("{\"kind\":\"alarm\",\"n\":[1,{\"a\":\"é😀\"}]}")).getString("kind"))
        .isEqualTo("alarm");
    assertThat(JsonBody.object(Buffer.buffer("")).isEmpty()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "[1]", "\"s\"", "{\"a\":1,\"a\":2}", "{\"a\":1} x", "nul", "{'a':1}"})
  void refusesWhatIsNotOneCleanObject(String body) {
    assertThatThrownBy(() -> JsonBody.object(Buffer.buffer(body)))
        .isInstanceOfSatisfying(WhiskfeedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON));
  }

  @Test
  void refusesDeepNestingAndInvalidUtf8() {
    String deep = "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}";
    assertThatThrownBy(() -> JsonBody.object(Buffer.buffer(deep))).isInstanceOf(WhiskfeedException.class);
    Buffer invalid = Buffer.buffer(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
    assertThatThrownBy(() -> JsonBody.object(invalid)).isInstanceOf(WhiskfeedException.class);
  }
}
