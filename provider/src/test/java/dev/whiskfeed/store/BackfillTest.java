package dev.whiskfeed.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackfillTest {
  @Test
  void readShowsStateRowsAndTotalAndTheErrorOfAFailedRun() {
    Backfill running = new Backfill(1, 2, Backfill.State.RUNNING, null, List.of("5"), 5, 23L, null);
    assertThat(running.toJson()).isEqualTo(new JsonObject().put("state", "running").put("rows", 5L).put("total", 23L));
    Backfill failed = new Backfill(1, 2, Backfill.State.FAILED, null, null, 0, null, "table public.t has no primary key");
    assertThat(failed.toJson().encode())
        .isEqualTo("{\"state\":\"failed\",\"rows\":0,\"total\":null,\"error\":\"table public.t has no primary key\"}");
    assertThat(Backfill.State.parse("done")).isEqualTo(Backfill.State.DONE);
  }
}
