package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.ClaimedEvent;
import dev.whiskfeed.store.EventRepository;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Leases recorded per claim (events migration V6), against a real Postgres: what a claim takes,
 * what it leaves to the others, and when a lease stops holding.
 */
class ClaimLeasesIT extends WithEventStore {
  private static final long[] FEED = {FEED_ID};
  private final ClaimRepository claims = new ClaimRepository();


  @Test
  void claimersRunningAtOnceNeverTakeOneEventTwiceAndTogetherTakeAll() throws Exception {
    insert(2_000);
    List<Future<List<ClaimedEvent>>> rounds = new ArrayList<>();
    for (int i = 0; i < 8; i++) rounds.add(claims.claim(pool, "h" + (i % 2), 30_000, FEED, 300));
    Set<UUID> taken = new HashSet<>();
    int total = 0;
    for (Future<List<ClaimedEvent>> round : rounds) {
      for (ClaimedEvent e : get(round)) {
        taken.add(e.id());
        total++;
      }
    }
    assertThat(total).isEqualTo(2_000);
    assertThat(taken).hasSize(2_000);
    assertThat(get(claims.claim(pool, "h2", 30_000, FEED, 300))).as("everything is held").isEmpty();
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.claims")).isEqualTo(7);
  }

  @Test
  void anOutcomeFreesItsEventAtOnceWhileItsClaimStillHoldsTheOthers() throws Exception {
    insert(3);
    List<ClaimedEvent> first = get(claims.claim(pool, "h1", 30_000, FEED, 10));
    assertThat(first).hasSize(3);
    ClaimedEvent handedBack = first.get(0);
    assertThat(get(claims.ack(pool, "h1", List.of(Ack.release(handedBack.id())), List.of(handedBack), new long[0])))
        .isEqualTo(1);

    List<ClaimedEvent> second = get(claims.claim(pool, "h2", 30_000, FEED, 10));
    assertThat(second).extracting(ClaimedEvent::id).containsExactly(handedBack.id());
    assertThat(second.get(0).previousHolder()).as("not a take-over: h1's lease lives").isNull();
    assertThat(db.queryLong("SELECT count(*) FROM (" + Held.PENDING + ") x WHERE holder = 'h1'")).isEqualTo(2);
  }

  @Test
  void aClaimWhoseLeaseRanOutIsTakenOverAndItsFormerHoldersOutcomesAndRenewalsNoLongerCount() throws Exception {
    insert(2);
    List<ClaimedEvent> first = get(claims.claim(pool, "h1", 200, FEED, 10));
    long firstClaim = first.get(0).claim();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        db.queryLong("SELECT count(*) FROM whiskfeed.leases WHERE holder = 'h1' AND until <= clock_timestamp()") == 1);

    List<ClaimedEvent> second = get(claims.claim(pool, "h2", 30_000, FEED, 10));
    assertThat(second).extracting(ClaimedEvent::id).containsExactlyInAnyOrderElementsOf(
        first.stream().map(ClaimedEvent::id).toList());
    assertThat(second).extracting(ClaimedEvent::previousHolder).containsOnly("h1");

    ClaimedEvent late = first.get(0);
    assertThat(get(claims.ack(pool, "h1", List.of(Ack.delivered(late.id(), 202, "a1")), List.of(late),
        new long[] {firstClaim}))).as("h1's claim is gone: its outcome is dropped").isZero();
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'")).isZero();
    assertThat(get(claims.renew(pool, "h1", 30_000, new long[] {firstClaim}))).isEmpty();

    ClaimedEvent now = second.get(0);
    assertThat(get(claims.ack(pool, "h2", List.of(Ack.delivered(now.id(), 202, "a2")), List.of(now), new long[0])))
        .isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'")).isEqualTo(1);
  }

  @Test
  void aRenewalKeepsTheClaimsItKnowsAndDeletesAnOldOneItDoesNot() throws Exception {
    insert(2);
    ClaimedEvent known = get(claims.claim(pool, "h1", 300, FEED, 1)).get(0);
    ClaimedEvent lost = get(claims.claim(pool, "h1", 300, FEED, 1)).get(0);
    // both claims older than the lease, by the database's clock
    await().atMost(Duration.ofSeconds(5)).until(() -> db.queryLong(
        "SELECT count(*) FROM whiskfeed.claims WHERE made_at < clock_timestamp() - interval '300 milliseconds'") == 2);

    assertThat(get(claims.renew(pool, "h1", 300, new long[] {known.claim()}))).containsExactly(known.claim());
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.claims")).isEqualTo(1);
    List<ClaimedEvent> other = get(claims.claim(pool, "h2", 30_000, FEED, 10));
    assertThat(other).as("the claim whose answer never reached h1 held its event until then")
        .extracting(ClaimedEvent::id).containsExactly(lost.id());
  }

  @Test
  void aClaimFromAFloorSkipsWhatAClaimReachingIntoItsRangeHolds() throws Exception {
    insert(10);
    List<ClaimedEvent> first = get(claims.claim(pool, "h1", 30_000, FEED, 5));
    // a floor inside the first claim's range: that claim's newest due time is after it (events migration V8)
    java.time.Instant floor = first.stream().map(ClaimedEvent::dueAt).sorted().toList().get(2);
    List<ClaimedEvent> second = get(claims.claimSince(pool, "h2", 30_000, FEED, 10, floor, 0));
    assertThat(second).hasSize(5).extracting(ClaimedEvent::id)
        .doesNotContainAnyElementsOf(first.stream().map(ClaimedEvent::id).toList());
  }

  /**
   * A claim first looks whether anything is due in its range, on the claim connection's generic
   * plans. Planned as a scan of the pending table in storage order, that look walked every pending
   * row deleted since the last vacuum, on every claim (events migration V9): its generic plan must
   * read the claim index instead.
   */
  @Test
  void theLookBeforeAClaimReadsTheClaimIndexAfterManyDeliveries() throws Exception {
    insert(20_000);
    db.execute("DELETE FROM whiskfeed.pending WHERE seq IN (SELECT seq FROM whiskfeed.pending ORDER BY seq LIMIT 10000)");
    db.execute("ANALYZE whiskfeed.pending");
    String source = (String) db.query("SELECT prosrc FROM pg_proc WHERE proname = 'claim' "
        + "AND pronamespace = 'whiskfeed'::regnamespace").get(0).get("prosrc");
    java.util.regex.Matcher look = java.util.regex.Pattern.compile(
        "IF \\((SELECT x\\.next_attempt_at FROM whiskfeed\\.pending x.*?LIMIT 1)\\) IS NULL THEN",
        java.util.regex.Pattern.DOTALL).matcher(source);
    assertThat(look.find()).as("the claim function begins with its look").isTrue();
    String query = look.group(1).replace("p_feeds", "$1").replace("p_floor", "$2").replace("p_window_ms", "$3")
        .replace("p_counts", "$4").replace("v_from", "'-infinity'::timestamptz");
    StringBuilder plan = new StringBuilder();
    try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
      st.execute("SET plan_cache_mode = force_generic_plan");
      st.execute("PREPARE look(bigint[], timestamptz, bigint, int[]) AS " + query);
      try (java.sql.ResultSet r = st.executeQuery("EXPLAIN EXECUTE look('{7}', now(), 0, NULL)")) {
        while (r.next()) plan.append(r.getString(1)).append('\n');
      }
    }
    assertThat(plan).contains("Index Scan using pending_claim on pending").doesNotContain("Seq Scan on pending");
  }

  /**
   * The backlog cap's check (every {@code WHISKFEED_CAPTURE_CHECK_MS}) names the feeds over the cap,
   * and reads the pending set through its key: a count of the whole set read every row delivered
   * since the last vacuum, and stalled the fires around it.
   */
  @Test
  void theBacklogCheckNamesTheFeedsOverTheCapAndReadsThePendingSetByKey() throws Exception {
    insert(20_000);
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT 8, 'MANUAL', '{}' FROM generate_series(1, 3)");
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT 9, 'MANUAL', '{}' FROM generate_series(1, 4)");
    db.execute("DELETE FROM whiskfeed.pending WHERE feed_id = ? AND seq IN (SELECT seq FROM whiskfeed.pending "
        + "WHERE feed_id = ? ORDER BY seq LIMIT 19990)", FEED_ID, FEED_ID);
    db.execute("ANALYZE whiskfeed.pending");
    EventRepository events = new EventRepository();

    assertThat(get(events.overBacklog(pool, 3))).containsExactlyInAnyOrder(FEED_ID, 9L);
    assertThat(get(events.overBacklog(pool, 4))).containsExactly(FEED_ID);
    assertThat(get(events.overBacklog(pool, 10))).isEmpty();
    StringBuilder plan = new StringBuilder();
    try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
      st.execute("SET plan_cache_mode = force_generic_plan");
      st.execute("PREPARE over(bigint) AS " + EventRepository.OVER_BACKLOG);
      try (java.sql.ResultSet r = st.executeQuery("EXPLAIN EXECUTE over(1000000)")) {
        while (r.next()) plan.append(r.getString(1)).append('\n');
      }
    }
    assertThat(plan).contains("on pending").doesNotContain("Seq Scan on pending");
  }

  @Test
  void theClaimsThatOutcomesDeletedAreVacuumedAway() throws Exception {
    insert(50);
    for (int i = 0; i < 50; i++) {
      ClaimedEvent e = get(claims.claim(pool, "h1", 30_000, FEED, 1)).get(0);
      get(claims.ack(pool, "h1", List.of(Ack.delivered(e.id(), 202, "a" + i)), List.of(e), new long[] {e.claim()}));
    }
    long vacuums = db.queryLong("SELECT pg_stat_get_vacuum_count('whiskfeed.claims'::regclass)");
    get(claims.vacuumClaims(pool));
    assertThat(db.queryLong("SELECT pg_stat_get_vacuum_count('whiskfeed.claims'::regclass)")).isEqualTo(vacuums + 1);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.claims")).isZero();
  }

  @Test
  void releasingHandsBackEverythingAtOnce() throws Exception {
    insert(5);
    assertThat(get(claims.claim(pool, "h1", 30_000, FEED, 10))).hasSize(5);
    assertThat(get(claims.releaseAll(pool, "h1"))).isEqualTo(5);
    assertThat(Held.count(db)).isZero();
    assertThat(get(claims.claim(pool, "h2", 30_000, FEED, 10))).hasSize(5);
  }
}
