package dev.whiskfeed.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.capture.Catalog.InstalledTrigger;
import dev.whiskfeed.feed.DeliverySettings;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedId;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.FeedStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the periodic check calls a broken capture, on catalog answers made up here. */
class CaptureWatchTest {
  static Feed feed(JsonObject config) {
    return new Feed(9, new FeedId("guest", "t"), FeedKind.CHANGES, DeliverySettings.DEFAULTS.toJson().mergeIn(config),
        new JsonObject(), "k", FeedStatus.active(Instant.EPOCH), DeliverySettings.DEFAULTS, 0, null, null, 1);
  }

  static final Catalog.Table USERS = new Catalog.Table("public", "users", "r", List.of("id", "name"), true, true, "app");

  static List<InstalledTrigger> triggers(String... ops) {
    return java.util.Arrays.stream(ops).map(op -> new InstalledTrigger("whiskfeed_9_" + op, "public", "users", true))
        .toList();
  }

  static JsonObject config() {
    return new JsonObject().put("table", "public.users").put("events", new JsonArray().add("INSERT").add("DELETE"))
        .put("mode", "listen");
  }

  @Test
  void aHealthyCaptureHasNoProblem() {
    assertThat(CaptureWatch.problem(feed(config()), USERS, triggers("insert", "delete", "truncate"))).isEmpty();
  }

  @Test
  void aDroppedColumnNamedInColumnsOrPayloadColumnsIsAProblem() {
    assertThat(CaptureWatch.problem(feed(config().put("payloadColumns", new JsonArray().add("id").add("email"))),
        USERS, triggers("insert", "delete", "truncate")))
        .contains("column email of table public.users named in payloadColumns no longer exists (dropped or renamed)");
    assertThat(CaptureWatch.problem(feed(config().put("columns", new JsonArray().add("a").add("b"))), USERS,
        triggers("insert", "delete", "truncate")))
        .contains("columns a, b of table public.users named in columns no longer exist (dropped or renamed)");
  }

  @Test
  void aMissingOrDisabledTriggerIsAProblem() {
    assertThat(CaptureWatch.problem(feed(config()), USERS, triggers("insert", "delete")))
        .contains("capture trigger whiskfeed_9_truncate is missing from table public.users");
    List<InstalledTrigger> disabled = List.of(new InstalledTrigger("whiskfeed_9_insert", "public", "users", false),
        new InstalledTrigger("whiskfeed_9_delete", "public", "users", true),
        new InstalledTrigger("whiskfeed_9_truncate", "public", "users", true));
    assertThat(CaptureWatch.problem(feed(config()), USERS, disabled))
        .contains("capture trigger whiskfeed_9_insert on table public.users was disabled");
  }

  @Test
  void aWalFeedIsJudgedByItsColumnsAndTheTypesWalCaptureCannotPrintNotByTriggers() {
    Feed wal = feed(config().put("capture", "wal"));
    assertThat(CaptureWatch.problem(wal, Optional.of(USERS), List.of(), List.of())).isEmpty();
    assertThat(CaptureWatch.problem(wal, Optional.of(USERS), List.of(), List.of("tag", "inventory_item")))
        .contains("table public.users now has a column of type tag, inventory_item, which WAL capture cannot print as "
            + "trigger capture does (drop the column, or DELETE the feed and CREATE it with capture trigger)");
    Feed named = feed(config().put("capture", "wal").put("columns", new JsonArray().add("gone")));
    assertThat(CaptureWatch.problem(named, Optional.of(USERS), List.of(), List.of("tag")))
        .as("a column it names comes first")
        .contains("column gone of table public.users named in columns no longer exists (dropped or renamed)");
  }

  @Test
  void aTableThatIsGoneOrNoLongerATableIsAProblemInBothModes() {
    Catalog.Table view = new Catalog.Table("public", "users", "v", List.of("id", "name"), true, true, "app");
    for (Feed f : List.of(feed(config()), feed(config().put("capture", "wal")))) {
      assertThat(CaptureWatch.problem(f, Optional.empty(), List.of(), List.of()))
          .contains("table public.users no longer exists (dropped or renamed)");
      assertThat(CaptureWatch.problem(f, Optional.of(view), List.of(), List.of()))
          .contains("table public.users no longer exists (dropped or renamed)");
    }
  }

  @Test
  void theReasonSaysWhatToDo() {
    assertThat(CaptureWatch.reason("x")).isEqualTo(new JsonObject().put("kind", "AUTO")
        .put("message", "Capture automatically disabled: x; UPDATE the feed to capture again"));
  }
}
