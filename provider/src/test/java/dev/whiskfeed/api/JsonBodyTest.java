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

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1} {\"b\":2}", "{\"a\":\"\\u0000\"}", "{\"a\\u0000\":1}", "{\"a\":\"\\ud800\"}",
      "{\"a\":\"\\udc00x\"}", "{\"a\":1e1001}", "{\"a\":1e-1001}"})
  void refusesTrailingValuesAndWhatPostgresCannotStore(String body) {
    assertThatThrownBy(() -> JsonBody.object(Buffer.buffer(body)))
        .isInstanceOfSatisfying(WhiskfeedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON));
  }

  @Test
  void refusesUtf8ThatJacksonWouldTolerate() {
    byte[][] middles = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};
    for (byte[] middle : middles) {
      Buffer body = Buffer.buffer("{\"a\":\"").appendBytes(middle).appendString("\"}");
      assertThatThrownBy(() -> JsonBody.object(body)).isInstanceOf(WhiskfeedException.class)
          .hasMessageContaining("not UTF-8");
    }
    Buffer utf16 = Buffer.buffer("{\"kind\":\"webhook\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16));
    assertThatThrownBy(() -> JsonBody.object(utf16)).isInstanceOf(WhiskfeedException.class);
  }

  @Test
  void keepsNumbersExact() {
    var o = JsonBody.object(Buffer.buffer("{\"big\":1e999,\"fine\":1.00000000000000000000001,\"i\":12}"));
    assertThat(o.getValue("big")).isEqualTo(new java.math.BigDecimal("1e999"));
    assertThat(o.getValue("fine")).isEqualTo(new java.math.BigDecimal("1.00000000000000000000001"));
    assertThat(o.getInteger("i")).isEqualTo(12);
  }
}
