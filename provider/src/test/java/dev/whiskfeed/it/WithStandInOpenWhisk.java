package dev.whiskfeed.it;

import dev.whiskfeed.testing.StandInOpenWhisk;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Integration tests that fire at one stand-in OpenWhisk: it starts before the test class and closes
 * after it (test classes run one after the other, so the fields are the running class's).
 */
abstract class WithStandInOpenWhisk {
  static Vertx vertx;
  static StandInOpenWhisk openwhisk;

  @BeforeAll
  static void startStandInOpenWhisk() {
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
  }

  @AfterAll
  static void closeStandInOpenWhisk() {
    openwhisk.close();
    vertx.close();
  }
}
