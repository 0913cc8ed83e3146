package dev.whiskfeed.actions;

import static dev.whiskfeed.actions.FeedActionTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretMaskTest {
  @Test
  void masksTheKeyItsSecretHalfAndItsBase64InKeysAndValues() {
    SecretMask mask = new SecretMask("uuid:s3cretKey");

    assertThat(mask.apply(json("{\"a\":\"uuid:s3cretKey\",\"s3cretKey\":[\"x s3cretKey y\","
        + "\"dXVpZDpzM2NyZXRLZXk=\",1,null,{\"b\":true}]}")))
        .isEqualTo(json("{\"a\":\"***\",\"***\":[\"x *** y\",\"***\",1,null,{\"b\":true}]}"));
  }

  @Test
  void shortSecretHalfIsOnlyMaskedAsPartOfTheWholeKey() {
    SecretMask mask = new SecretMask("u:key");

    assertThat(mask.apply(json("{\"keyword\":\"u:key\"}")))
        .isEqualTo(json("{\"keyword\":\"***\"}"));
  }

  @Test
  void withoutAuthKeyNothingChanges() {
    assertThat(new SecretMask(null).apply(json("{\"a\":\"b\"}"))).isEqualTo(json("{\"a\":\"b\"}"));
  }
}
