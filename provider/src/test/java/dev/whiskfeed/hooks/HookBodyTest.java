package dev.whiskfeed.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.hooks.HookBody.Encoding;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class HookBodyTest {
  static HookBody of(String body, String type) {
    return HookBody.of(Buffer.buffer(body.getBytes(StandardCharsets.UTF_8)), type);
  }

  @Test
  void jsonIsParsed() {
    assertThat(of("{\"a\":[1,2]}", "application/json")).isEqualTo(
        new HookBody(new JsonObject().put("a", new JsonArray().add(1).add(2)), Encoding.JSON));
    assertThat(of("[true]", "application/vnd.github+json; charset=utf-8").value()).isEqualTo(new JsonArray().add(true));
    assertThat(of("{\"a\":1}", null).encoding()).isEqualTo(Encoding.JSON);
    assertThat(of("\"just a string\"", "application/json")).isEqualTo(new HookBody("just a string", Encoding.JSON));
  }

  @Test
  void declaredJsonThatDoesNotParseIsKeptAsText() {
    assertThat(of("{\"a\":", "application/json")).isEqualTo(new HookBody("{\"a\":", Encoding.TEXT));
    assertThat(of("{} trailing", "application/json")).isEqualTo(new HookBody("{} trailing", Encoding.TEXT));
  }

  @Test
  void otherTextIsAString() {
    assertThat(of("a=1&b=%C3%A9", "application/x-www-form-urlencoded"))
        .isEqualTo(new HookBody("a=1&b=%C3%A9", Encoding.TEXT));
    assertThat(of("<x>é</x>", "application/xml")).isEqualTo(new HookBody("<x>é</x>", Encoding.TEXT));
    // declared text stays text even when it happens to be JSON
    assertThat(of("{\"a\":1}", "text/plain")).isEqualTo(new HookBody("{\"a\":1}", Encoding.TEXT));
  }

  @Test
  void bytesAreBase64() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, (byte) 0xff};
    assertThat(HookBody.of(Buffer.buffer(png), "image/png"))
        .isEqualTo(new HookBody(Base64.getEncoder().encodeToString(png), Encoding.BASE64));
    assertThat(of("plain ascii", "application/octet-stream"))
        .isEqualTo(new HookBody(Base64.getEncoder().encodeToString("plain ascii".getBytes()), Encoding.BASE64));
    assertThat(HookBody.of(Buffer.buffer(new byte[] {'{', '}', (byte) 0xc3}), "application/json").encoding())
        .isEqualTo(Encoding.BASE64);
  }

  @Test
  void whatJsonbCannotHoldFallsBack() {
    assertThat(of("{\"a\":\"\\u0000\"}", "application/json"))
        .isEqualTo(new HookBody("{\"a\":\"\\u0000\"}", Encoding.TEXT));
    assertThat(of("{\"\\ud800\":1}", "application/json").encoding()).isEqualTo(Encoding.TEXT);
    assertThat(of("nul \u0000 inside", "text/plain").encoding()).isEqualTo(Encoding.BASE64);
  }

  @Test
  void noBodyIsEmpty() {
    assertThat(HookBody.of(Buffer.buffer(), "application/json")).isEqualTo(new HookBody(null, Encoding.EMPTY));
  }
}
