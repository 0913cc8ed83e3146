package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.store.Ack;
import dev.whiskfeed.store.ClaimedEvent;
import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettlementTest {
  private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");
  /** Retries every 10 s, doubling; two retries after the first attempt. */
  private static final Target FEED = new Target(7, "ns", "trigger", "webhook", "key", "active", "control", 0, 2, 10,
      60, 1, 1_000_000, false);

  /**
   * One event, tried {@code attempts} times before (of which {@code throttled} answered 429), fired
   * once more: its ack, and what happens to the feed. Status 0: no answer at all.
   */
  // status, retryAfter, attempts, throttled, reserved, last | state, attempted, delayMs, ackStatus, disable,
  // unreserve, countFire, dead ("-": none; disable "max": the maxTriggers reason)
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiterString = "|", value = {
    "200, -, 0, 0, false, false | delivered, true, 0,     200, -,   false, true,  false",
    "204, -, 2, 0, false, false | delivered, true, 0,     204, -,   false, true,  false",
    "200, -, 0, 0, true,  false | delivered, true, 0,     200, -,   false, false, false",
    "200, -, 0, 0, true,  true  | delivered, true, 0,     200, max, false, false, false",
    "404, -, 0, 0, false, false | pending,   true, 0,     404, 404, false, false, false",
    "401, -, 2, 0, false, false | pending,   true, 0,     401, 401, false, false, false",
    "403, -, 0, 0, true,  false | pending,   true, 0,     403, 403, true,  false, false",
    "400, -, 0, 0, true,  true  | pending,   true, 0,     400, 400, true,  false, false",
    "500, -, 0, 0, false, false | pending,   true, 10000, 500, -,   false, false, false",
    "502, -, 1, 0, false, false | pending,   true, 20000, 502, -,   false, false, false",
    "503, -, 0, 0, true,  false | pending,   true, 10000, 503, -,   true,  false, false",
    "408, -, 0, 0, false, false | pending,   true, 10000, 408, -,   false, false, false",
    "409, -, 0, 0, false, false | pending,   true, 10000, 409, -,   false, false, false",
    "0,   -, 0, 0, false, false | pending,   true, 10000, -,   -,   false, false, false",
    "429, -, 0, 0, false, false | pending,   true, 60000, 429, -,   false, false, false",
    "429, 5, 0, 0, false, false | pending,   true, 5000,  429, -,   false, false, false",
    "500, -, 2, 0, false, false | dead,      true, 0,     500, -,   false, false, true",
    "0,   -, 2, 0, true,  false | dead,      true, 0,     -,   -,   true,  false, true",
    "429, -, 2, 1, false, false | dead,      true, 0,     429, -,   false, false, true",
    "500, -, 2, 2, false, false | dead,      true, 0,     500, -,   false, false, true",
    "429, -, 2, 2, false, false | pending,   true, 0,     429, 429, false, false, false",
  })
  void settlesOneEvent(String answer, String ackExpected) {
    String[] in = answer.split(",\\s*");
    String[] out = ackExpected.split(",\\s*");
    int status = Integer.parseInt(in[0].strip());
    FireOutcome outcome = status == 0 ? FireOutcome.failure(new ConnectException("refused"))
        : FireOutcome.classify(status, "-".equals(in[1].strip()) ? null : in[1].strip(), "act-1", null, NOW);
    ClaimedEvent e = event(Integer.parseInt(in[2].strip()), Integer.parseInt(in[3].strip()));

    Settlement s = Settlement.of(FEED, outcome, List.of(e), Boolean.parseBoolean(in[4].strip()),
        Boolean.parseBoolean(in[5].strip()));

    assertThat(s.acks()).hasSize(1);
    Ack a = s.acks().get(0);
    assertThat(a.id()).isEqualTo(e.id());
    assertThat(a.state()).isEqualTo(out[0].strip());
    assertThat(a.attempted()).isEqualTo(Boolean.parseBoolean(out[1].strip()));
    assertThat(a.delayMs()).isEqualTo(Long.parseLong(out[2].strip()));
    assertThat(a.statusCode()).isEqualTo("-".equals(out[3].strip()) ? null : Integer.valueOf(out[3].strip()));
    String disable = out[4].strip();
    if ("-".equals(disable)) {
      assertThat(s.disable()).isNull();
    } else if ("max".equals(disable)) {
      assertThat(s.disable()).isEqualTo(new Settlement.Disable(null, Settlement.MAX_TRIGGERS_MESSAGE));
    } else {
      assertThat(s.disable().statusCode()).isEqualTo(Integer.valueOf(disable));
      assertThat(s.disable().message()).startsWith(FireOutcome.DISABLED_PREFIX).isEqualTo(a.error());
    }
    assertThat(s.unreserve()).isEqualTo(Boolean.parseBoolean(out[5].strip()));
    assertThat(s.countFire()).isEqualTo(Boolean.parseBoolean(out[6].strip()));
    assertThat(s.dead()).isEqualTo(Boolean.parseBoolean(out[7].strip()) ? List.of(a) : List.of());
    assertThat(s.retries()).hasSize("pending".equals(a.state()) && a.delayMs() > 0 ? 1 : 0);
  }

  @Test
  void aBatchIsSettledEventByEventInItsOrder() {
    ClaimedEvent fresh = event(0, 0);
    ClaimedEvent once = event(1, 0);
    ClaimedEvent exhausted = event(2, 0);
    FireOutcome.Retry answer = (FireOutcome.Retry) FireOutcome.classify(500, null, null, "{\"error\":\"down\"}", NOW);

    Settlement s = Settlement.of(FEED, answer, List.of(fresh, once, exhausted), false, false);

    assertThat(s.acks()).containsExactly(
        Ack.retry(fresh.id(), 10_000, 500, false, "OpenWhisk answered 500 (down)"),
        Ack.retry(once.id(), 20_000, 500, false, "OpenWhisk answered 500 (down)"),
        Ack.dead(exhausted.id(), 500, "gave up after 3 attempts: OpenWhisk answered 500 (down)"));
    assertThat(s.retries()).containsExactly(new Settlement.Retried(fresh.id(), 1, 500, 10_000),
        new Settlement.Retried(once.id(), 2, 500, 20_000));
    assertThat(s.dead()).containsExactly(s.acks().get(2));
    assertThat(s.disable()).isNull();
    assertThat(s.attempt()).isEqualTo(new Settlement.Attempt(500, "OpenWhisk answered 500 (down)", null));
  }

  @Test
  void aFeedThrottledOnEveryAttemptIsDisabledOnceWithTheFirstReasonAndItsEventsKept() {
    ClaimedEvent first = event(2, 2);
    ClaimedEvent second = event(3, 3);
    ClaimedEvent young = event(0, 0);
    FireOutcome answer = FireOutcome.classify(429, null, null, null, NOW);

    Settlement s = Settlement.of(FEED, answer, List.of(first, young, second), false, false);

    String reason = "Trigger automatically disabled: OpenWhisk answered 429 to every one of 3 attempts";
    assertThat(s.disable()).isEqualTo(new Settlement.Disable(429, reason));
    assertThat(s.acks()).containsExactly(Ack.held(first.id(), 429, reason),
        Ack.retry(young.id(), 60_000, 429, true, "OpenWhisk answered 429"),
        Ack.held(second.id(), 429, "Trigger automatically disabled: OpenWhisk answered 429 to every one of 4 attempts"));
    assertThat(s.dead()).isEmpty();
  }

  @Test
  void theDeliveryLogRecordsWhatOpenWhiskAnswered() {
    ClaimedEvent e = event(0, 0);
    assertThat(Settlement.of(FEED, new FireOutcome.Delivered(202, "act-9"), List.of(e), false, false).attempt())
        .isEqualTo(new Settlement.Attempt(202, null, "act-9"));
    FireOutcome gone = FireOutcome.classify(404, null, null, null, NOW);
    assertThat(Settlement.of(FEED, gone, List.of(e), false, false).attempt())
        .isEqualTo(new Settlement.Attempt(404, "Trigger automatically disabled: OpenWhisk answered 404", null));
    assertThat(Settlement.of(FEED, FireOutcome.failure(new ConnectException("refused")), List.of(e), false, false)
        .attempt()).isEqualTo(new Settlement.Attempt(null, "connection error: refused", null));
  }

  @Test
  void anEventTooLargeForItsFeedIsDeadWithItsSize() {
    ClaimedEvent e = event(0, 0);
    assertThat(Settlement.oversized(e, 2_000_000, FEED))
        .isEqualTo(Ack.dead(e.id(), null, "event is 2000000 bytes as JSON, larger than batchMaxBytes 1000000"));
  }

  private static ClaimedEvent event(int attempts, int throttled) {
    return new ClaimedEvent(UUID.randomUUID(), 1, FEED.id(), "INSERT", null, null, NOW, attempts, throttled, null, NOW, 0);
  }
}
