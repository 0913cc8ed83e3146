package dev.whiskfeed.alarms;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class FireTimesTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:30Z");

  private static AlarmSpec spec(String json) {
    return AlarmSpec.parse(new JsonObject(json), T0, "t");
  }

  @Test
  void theFirstFireIsTheFirstInstantAfterNow() {
    assertThat(FireTimes.first(spec("{\"cron\":\"* * * * *\"}"), 1, T0))
        .contains(Instant.parse("2030-01-01T00:01:00Z"));
    assertThat(FireTimes.first(spec("{\"minutes\":5}"), 1, T0)).contains(T0.plusSeconds(30));
  }

  @Test
  void anOnTimeInstantFiresThePayloadAndMovesToTheNextInstant() {
    AlarmSpec spec = spec("{\"cron\":\"* * * * *\",\"trigger_payload\":{\"n\":1}}");
    Instant due = Instant.parse("2030-01-01T00:01:00Z");
    FireTimes.Step step = FireTimes.step(spec, 1, due, due.plusMillis(300), true);
    assertThat(step.payload()).isEqualTo(new JsonObject().put("data", new JsonObject().put("n", 1))
        .put("scheduledAt", "2030-01-01T00:01:00Z").put("lateBySec", 0L).put("late", false));
    assertThat(step.nextFire()).isEqualTo(Instant.parse("2030-01-01T00:02:00Z"));
  }

  @Test
  void missedInstantsFireOnceLateAndResumeAfterNow() {
    AlarmSpec spec = spec("{\"cron\":\"* * * * *\"}");
    Instant due = Instant.parse("2030-01-01T00:01:00Z");
    FireTimes.Step step = FireTimes.step(spec, 1, due, Instant.parse("2030-01-01T00:05:10Z"), true);
    assertThat(step.payload().getBoolean("late")).isTrue();
    assertThat(step.payload().getLong("lateBySec")).isEqualTo(250);
    assertThat(step.payload().getString("scheduledAt")).isEqualTo("2030-01-01T00:01:00Z");
    assertThat(step.nextFire()).isEqualTo(Instant.parse("2030-01-01T00:06:00Z"));
  }

  @Test
  void withoutCatchUpAMissedInstantPassesSilentlyButALittleDelayStillFires() {
    AlarmSpec spec = spec("{\"cron\":\"* * * * *\",\"catchUp\":false}");
    Instant due = Instant.parse("2030-01-01T00:01:00Z");
    FireTimes.Step missed = FireTimes.step(spec, 1, due, Instant.parse("2030-01-01T00:05:10Z"), true);
    assertThat(missed.emits()).isFalse();
    assertThat(missed.nextFire()).isEqualTo(Instant.parse("2030-01-01T00:06:00Z"));
    assertThat(FireTimes.step(spec, 1, due, due.plus(FireTimes.MISSED_AFTER), true).emits()).isTrue();
  }

  @Test
  void aFeedThatMayNotFireAdvancesWithoutAnEvent() {
    AlarmSpec spec = spec("{\"cron\":\"* * * * *\"}");
    Instant due = Instant.parse("2030-01-01T00:01:00Z");
    FireTimes.Step step = FireTimes.step(spec, 1, due, due, false);
    assertThat(step.emits()).isFalse();
    assertThat(step.nextFire()).isEqualTo(Instant.parse("2030-01-01T00:02:00Z"));
  }

  @Test
  void theLastInstantEndsTheSchedule() {
    Instant date = Instant.parse("2030-01-01T01:00:00Z");
    FireTimes.Step once = FireTimes.step(spec("{\"date\":\"" + date + "\"}"), 1, date, date, true);
    assertThat(once.emits()).isTrue();
    assertThat(once.last()).isTrue();
    AlarmSpec stopping = spec("{\"cron\":\"* * * * *\",\"stopDate\":\"2030-01-01T00:03:00Z\"}");
    Instant last = Instant.parse("2030-01-01T00:03:00Z");
    assertThat(FireTimes.step(stopping, 1, last, last, true).last()).isTrue();
    assertThat(FireTimes.step(stopping, 1, last.minusSeconds(60), last.minusSeconds(60), true).nextFire())
        .isEqualTo(last);
  }

  @Test
  void theSpreadOffsetIsStableWithinRangeAndSpreadsNeighbouringFeeds() {
    assertThat(FireTimes.offset(42, 0)).isZero();
    assertThat(FireTimes.offset(42, 60)).isEqualTo(FireTimes.offset(42, 60));
    Set<Long> seconds = new HashSet<>();
    LongStream.rangeClosed(1, 1000).forEach(id -> {
      Duration d = FireTimes.offset(id, 60);
      assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofSeconds(60));
      seconds.add(d.toSeconds());
    });
    assertThat(seconds).hasSize(60); // 1000 feeds touch every second of the minute
  }

  @Test
  void aSpreadFeedFiresAtItsOffsetAndReportsTheNominalInstant() {
    AlarmSpec spec = spec("{\"cron\":\"* * * * *\",\"spreadSec\":30}");
    Duration offset = FireTimes.offset(7, 30);
    Instant first = FireTimes.first(spec, 7, T0).orElseThrow();
    assertThat(first).isEqualTo(Instant.parse("2030-01-01T00:01:00Z").plus(offset));
    FireTimes.Step step = FireTimes.step(spec, 7, first, first, true);
    assertThat(step.payload().getString("scheduledAt")).isEqualTo("2030-01-01T00:01:00Z");
    assertThat(step.nextFire()).isEqualTo(Instant.parse("2030-01-01T00:02:00Z").plus(offset));
  }
}
