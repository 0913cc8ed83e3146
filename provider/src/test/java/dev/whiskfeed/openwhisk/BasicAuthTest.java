package dev.whiskfeed.openwhisk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BasicAuthTest {
  @Test
  void theAuthKeyIsTheUserAndPasswordOfBasicCredentials() {
    String key = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
    assertThat(BasicAuth.header("u:p")).isEqualTo("Basic dTpw");
    assertThat(BasicAuth.authKey(BasicAuth.header(key))).hasValue(key);
  }

  @Test
  void aHeaderWithoutAPasswordCarriesNoAuthKey() {
    assertThat(BasicAuth.authKey(BasicAuth.header("uuid:"))).isEmpty();
    assertThat(BasicAuth.authKey(BasicAuth.header("uuid"))).isEmpty();
    assertThat(BasicAuth.authKey("Bearer x")).isEmpty();
  }
}
