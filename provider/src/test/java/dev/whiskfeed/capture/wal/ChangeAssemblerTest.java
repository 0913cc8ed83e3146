package dev.whiskfeed.capture.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.capture.ChangesParams.Op;
import dev.whiskfeed.capture.FilterType;
import dev.whiskfeed.capture.RowFilter;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Messages in, events out: the slot reader's assembly without a server (types and feeds given). */
class ChangeAssemblerTest {
  static final int ORDERS = 16_401;
  static final int INT8 = 20;
  static final int TEXT = 25;
  static final long COMMIT_LSN = 0x1_6B37_4D48L;
  /** 2026-12-07T10:00:00Z in microseconds since 2000-01-01. */
  static final long COMMIT_MICROS = 849_952_800_000_000L;

  final List<WalFeed> feeds = new ArrayList<>();
  final AtomicInteger invalidations = new AtomicInteger();
  final AtomicInteger typeClears = new AtomicInteger();
  final ChangeAssembler changes = new ChangeAssembler(new ChangeAssembler.Feeds() {
    @Override
    public List<WalFeed> feedsOf(String schema, String table, long txReceivedAt) {
      return feeds.stream().filter(f -> f.schema().equals(schema) && f.table().equals(table)).toList();
    }

    @Override
    public void invalidate() {
      invalidations.incrementAndGet();
    }
  }, new ChangeAssembler.Types() {
    @Override
    public PgType resolve(int oid) {
      return switch (oid) {
        case INT8 -> PgType.NUMBER;
        case TEXT -> PgType.STRING;
        default -> throw WhiskfeedException.invalid("type " + oid + " has a cast to json");
      };
    }

    @Override
    public FilterType filterType(int oid) {
      return FilterType.of(oid, false);
    }

    @Override
    public void clear() {
      typeClears.incrementAndGet();
    }
  });

  static WalFeed feed(long id, Op... ops) {
    return new WalFeed(id, "public", "orders", EnumSet.copyOf(List.of(ops)), List.of(), List.of());
  }

  static WalFeed filtered(long id, String where) {
    return new WalFeed(id, "public", "orders", EnumSet.allOf(Op.class), List.of(), List.of(),
        RowFilter.parse(new JsonObject(where)));
  }

  static PgOutput.Relation orders(PgOutput.Column... extra) {
    List<PgOutput.Column> columns = new ArrayList<>(List.of(
        new PgOutput.Column(true, "id", INT8, -1), new PgOutput.Column(false, "status", TEXT, -1)));
    columns.addAll(List.of(extra));
    return new PgOutput.Relation(ORDERS, "public", "orders", 'f', columns);
  }

  static PgOutput.Tuple row(String... texts) {
    List<PgOutput.Value> values = new ArrayList<>();
    for (String t : texts) values.add(t == null ? PgOutput.Value.NULL : PgOutput.Value.text(t));
    return new PgOutput.Tuple(values);
  }

  static PgOutput.Begin begin(long lsn) {
    return new PgOutput.Begin(lsn, COMMIT_MICROS, 1234);
  }

  static PgOutput.Commit commit(long lsn) {
    return new PgOutput.Commit(0, lsn, lsn + 0x30, COMMIT_MICROS);
  }

  void accept(PgOutput.Message... messages) throws Exception {
    for (PgOutput.Message m : messages) changes.accept(m, 1_000);
  }

  /** The rows of an event's payload ({@code data}: {@code old} and {@code new}). */
  static Map<String, Object> payload(EventWriter.Event e) {
    JsonObject payload = new JsonObject(e.payload());
    assertThat(payload.getJsonObject("table").getMap()).isEqualTo(Map.of("schema", "public", "name", "orders"));
    return payload.getJsonObject("data").getMap();
  }

  @Test
  void eachChangeOfATransactionBecomesAnEventWithItsPositionAndCommitTime() throws Exception {
    feeds.add(feed(7, Op.INSERT, Op.UPDATE, Op.DELETE));
    accept(orders(), begin(COMMIT_LSN),
        new PgOutput.Insert(ORDERS, row("1", "new")),
        new PgOutput.Update(ORDERS, row("1", "new"), false, row("1", "paid")),
        new PgOutput.Delete(ORDERS, row("1", "paid"), false));
    assertThat(changes.inTransaction()).isTrue();
    accept(commit(COMMIT_LSN));

    assertThat(changes.inTransaction()).isFalse();
    assertThat(changes.lastCommitEnd()).isEqualTo(COMMIT_LSN + 0x30);
    assertThat(changes.lastCommit()).hasToString("2026-12-07T10:00:00Z");
    List<EventWriter.Event> events = changes.take();
    assertThat(events).extracting(EventWriter.Event::op).containsExactly("INSERT", "UPDATE", "DELETE");
    assertThat(events).extracting(EventWriter.Event::id)
        .containsExactly(EventIds.of(COMMIT_LSN, 7, 0), EventIds.of(COMMIT_LSN, 7, 1), EventIds.of(COMMIT_LSN, 7, 2));
    assertThat(events).extracting(EventWriter.Event::createdAt).containsOnly("2026-12-07T10:00:00Z");
    assertThat(payload(events.get(1))).containsEntry("old", Map.of("id", 1, "status", "new"))
        .containsEntry("new", Map.of("id", 1, "status", "paid"));
    assertThat(changes.pending()).as("taken").isZero();
  }

  @Test
  void twoFeedsOfOneTableGetEventsOfTheirOwnAndAReplayedTransactionTheSameIds() throws Exception {
    feeds.add(feed(7, Op.INSERT));
    feeds.add(feed(8, Op.INSERT));
    PgOutput.Message[] tx = {begin(COMMIT_LSN), new PgOutput.Insert(ORDERS, row("1", "new")), commit(COMMIT_LSN)};
    accept(orders());
    accept(tx);
    List<EventWriter.Event> first = changes.take();
    accept(tx); // the same transaction decoded again after a crash
    List<EventWriter.Event> again = changes.take();

    assertThat(first).extracting(EventWriter.Event::feedId).containsExactly(7L, 8L);
    assertThat(first.get(0).id()).isNotEqualTo(first.get(1).id());
    assertThat(again).extracting(EventWriter.Event::id).isEqualTo(first.stream().map(EventWriter.Event::id).toList());
  }

  @Test
  void aFilteredOutChangeStillCountsSoTheIdsOfTheOthersDoNotDependOnTheFilter() throws Exception {
    feeds.add(filtered(9, "{\"status\": {\"_eq\": \"paid\"}}"));
    feeds.add(feed(10, Op.INSERT));
    accept(orders(), begin(COMMIT_LSN),
        new PgOutput.Insert(ORDERS, row("1", "new")),
        new PgOutput.Insert(ORDERS, row("2", "paid")),
        commit(COMMIT_LSN));

    List<EventWriter.Event> events = changes.take();
    assertThat(events).filteredOn(e -> e.feedId() == 9).extracting(EventWriter.Event::id)
        .containsExactly(EventIds.of(COMMIT_LSN, 9, 1));
    assertThat(events).filteredOn(e -> e.feedId() == 10).extracting(EventWriter.Event::id)
        .containsExactly(EventIds.of(COMMIT_LSN, 10, 0), EventIds.of(COMMIT_LSN, 10, 1));
  }

  @Test
  void aNoOpUpdateAndAnOperationTheFeedDidNotAskForMakeNoEvent() throws Exception {
    feeds.add(feed(7, Op.UPDATE));
    accept(orders(), begin(COMMIT_LSN),
        new PgOutput.Insert(ORDERS, row("1", "new")),
        new PgOutput.Update(ORDERS, row("1", "new"), false, row("1", "new")),
        commit(COMMIT_LSN));
    assertThat(changes.take()).isEmpty();
    assertThat(changes.lastCommitEnd()).as("still a position to confirm").isEqualTo(COMMIT_LSN + 0x30);
  }

  @Test
  void anUnchangedLargeValueIsTakenFromTheOldRow() throws Exception {
    String large = "x".repeat(3000);
    feeds.add(feed(7, Op.UPDATE));
    PgOutput.Tuple now = new PgOutput.Tuple(List.of(PgOutput.Value.text("2"), PgOutput.Value.UNCHANGED_TOAST));
    accept(orders(), begin(COMMIT_LSN), new PgOutput.Update(ORDERS, row("1", large), false, now),
        commit(COMMIT_LSN));
    assertThat(payload(changes.take().get(0))).containsEntry("new", Map.of("id", 2, "status", large));
  }

  @Test
  void aTruncateIsAnEventForFeedsTakingDeletes() throws Exception {
    feeds.add(feed(7, Op.DELETE));
    feeds.add(feed(8, Op.INSERT));
    accept(orders(), begin(COMMIT_LSN), new PgOutput.Truncate(0, List.of(ORDERS)), commit(COMMIT_LSN));
    List<EventWriter.Event> events = changes.take();
    assertThat(events).extracting(EventWriter.Event::feedId).containsExactly(7L);
    assertThat(events).extracting(EventWriter.Event::op).containsExactly("TRUNCATE");
  }

  @Test
  void aColumnAddedMidStreamIsInTheRowsAfterItsRelationMessage() throws Exception {
    feeds.add(feed(7, Op.INSERT));
    accept(orders(), begin(COMMIT_LSN), new PgOutput.Insert(ORDERS, row("1", "new")), commit(COMMIT_LSN));
    accept(orders(new PgOutput.Column(false, "note", TEXT, -1)), begin(COMMIT_LSN + 0x100),
        new PgOutput.Insert(ORDERS, row("2", "new", "hi")), commit(COMMIT_LSN + 0x100));
    List<EventWriter.Event> events = changes.take();
    assertThat(payload(events.get(0))).containsEntry("new", Map.of("id", 1, "status", "new"));
    assertThat(payload(events.get(1))).containsEntry("new", Map.of("id", 2, "status", "new", "note", "hi"));
    assertThat(typeClears).as("each Relation message forgets the types").hasValue(2);
  }

  @Test
  void aColumnOfATypeWalCaptureCannotPrintIsSentAsItsTextInsteadOfStoppingTheReader() throws Exception {
    feeds.add(feed(7, Op.INSERT));
    accept(orders(new PgOutput.Column(false, "shape", 600_000, -1)), begin(COMMIT_LSN),
        new PgOutput.Insert(ORDERS, row("1", "new", "(1,2)")), commit(COMMIT_LSN));
    assertThat(payload(changes.take().get(0))).containsEntry("new", Map.of("id", 1, "status", "new", "shape", "(1,2)"));
  }

  @Test
  void theLifecyclesMarkInTheLogMakesTheFeedsBeReadAgainAndOtherMessagesAreIgnored() throws Exception {
    accept(new PgOutput.LogicalMessage(true, COMMIT_LSN, "some-other-tool", new byte[0]));
    assertThat(invalidations).hasValue(0);
    accept(new PgOutput.LogicalMessage(true, COMMIT_LSN, WalDdl.MESSAGE_PREFIX, new byte[0]),
        new PgOutput.Origin(COMMIT_LSN, "elsewhere"));
    assertThat(invalidations).hasValue(1);
    assertThat(changes.pending()).isZero();
  }

  @Test
  void aChangeOfATableWithoutItsRelationMessageIsAnError() {
    feeds.add(feed(7, Op.INSERT));
    assertThatThrownBy(() -> accept(begin(COMMIT_LSN), new PgOutput.Insert(ORDERS, row("1", "new"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("before its Relation message");
  }

  @Test
  void changesOfATableWithNoFeedMakeNoEvent() throws Exception {
    accept(orders(), begin(COMMIT_LSN), new PgOutput.Insert(ORDERS, row("1", "new")), commit(COMMIT_LSN));
    assertThat(changes.take()).isEmpty();
  }
}
