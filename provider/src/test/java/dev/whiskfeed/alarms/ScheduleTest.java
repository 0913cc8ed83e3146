package dev.whiskfeed.alarms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  private static List<Instant> fires(Schedule s, Instant from, int n) {
    List<Instant> out = new ArrayList<>();
    Optional<Instant> next = s.nextAfter(from);
    while (next.isPresent() && out.size() < n) {
      out.add(next.get());
      next = s.nextAfter(next.get());
    }
    return out;
  }

  private static List<Instant> instants(String... iso) {
    return java.util.Arrays.stream(iso).map(Instant::parse).toList();
  }

  @Nested
  class Cron {
    @ParameterizedTest(name = "{0} after {1} -> {2}")
    @CsvSource({
      "* * * * *,          2026-01-01T00:00:00Z,        2026-01-01T00:01:00Z",
      "* * * * *,          2026-01-01T00:00:59.999Z,    2026-01-01T00:01:00Z",
      "*/15 * * * *,       2026-01-01T00:15:00Z,        2026-01-01T00:30:00Z",
      "0 9 * * MON,        2026-01-01T00:00:00Z,        2026-01-05T09:00:00Z",
      "0 0 1 JAN *,        2026-01-01T00:00:00Z,        2027-01-01T00:00:00Z",
      "0 0 * * 7,          2026-01-01T00:00:00Z,        2026-01-04T00:00:00Z",
      "0 0 * * 0,          2026-01-01T00:00:00Z,        2026-01-04T00:00:00Z",
      "*/10 * * * * *,     2026-01-01T00:00:00Z,        2026-01-01T00:00:10Z",
      "*/10 * * * * *,     2026-01-01T00:00:09.999999Z, 2026-01-01T00:00:10Z",
      "30 0 12 * * *,      2026-01-01T12:00:30Z,        2026-01-02T12:00:30Z",
      "* * * * * *,        2026-01-01T00:00:00.5Z,      2026-01-01T00:00:01Z",
      "'  0   12 * * * ',  2026-01-01T00:00:00Z,        2026-01-01T12:00:00Z",
    })
    void nextIsStrictlyAfter(String expression, String t, String expected) {
      assertThat(new Schedule.Cron(expression, UTC, null, null).nextAfter(at(t))).contains(at(expected));
    }

    @Test
    void dayOfMonthAndDayOfWeekCombineLikeUnixCron() {
      // every 13th and every Friday
      assertThat(fires(new Schedule.Cron("0 0 13 * 5", UTC, null, null), at("2026-01-01T00:00:00Z"), 4))
          .isEqualTo(instants("2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z"));
      assertThat(fires(new Schedule.Cron("0 0 0 13 * 5", UTC, null, null), at("2026-01-10T00:00:00Z"), 2))
          .isEqualTo(instants("2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z"));
    }

    @Test
    void isEvaluatedInItsZone() {
      Schedule.Cron nineInNewYork = new Schedule.Cron("0 9 * * *", ZoneId.of("America/New_York"), null, null);
      assertThat(nineInNewYork.nextAfter(at("2026-01-15T00:00:00Z"))).contains(at("2026-01-15T14:00:00Z"));
      assertThat(nineInNewYork.nextAfter(at("2026-07-15T00:00:00Z"))).contains(at("2026-07-15T13:00:00Z"));
    }

    @Test
    void neverFiresBeforeStart() {
      Schedule.Cron s = new Schedule.Cron("0 * * * *", UTC, at("2026-03-01T10:30:00Z"), null);
      assertThat(s.nextAfter(at("2026-01-01T00:00:00Z"))).contains(at("2026-03-01T11:00:00Z"));
      assertThat(s.nextAfter(at("2026-03-01T11:00:00Z"))).contains(at("2026-03-01T12:00:00Z"));
    }

    @Test
    void firesAtStartWhenStartMatches() {
      Schedule.Cron s = new Schedule.Cron("0 * * * *", UTC, at("2026-03-01T10:00:00Z"), null);
      assertThat(s.nextAfter(at("2026-01-01T00:00:00Z"))).contains(at("2026-03-01T10:00:00Z"));
      Schedule.Cron fractional = new Schedule.Cron("* * * * * *", UTC, at("2026-03-01T10:00:00.500Z"), null);
      assertThat(fractional.nextAfter(at("2026-01-01T00:00:00Z"))).contains(at("2026-03-01T10:00:01Z"));
    }

    @Test
    void stopEndsTheSchedule() {
      Schedule.Cron s = new Schedule.Cron("0 * * * *", UTC, null, at("2026-03-01T12:00:00Z"));
      assertThat(fires(s, at("2026-03-01T09:30:00Z"), 10))
          .isEqualTo(instants("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"));
      assertThat(s.nextAfter(at("2026-03-01T12:00:00Z"))).isEmpty();
    }

    @Test
    void anImpossibleDateNeverFires() {
      assertThat(new Schedule.Cron("0 0 30 2 *", UTC, null, null).nextAfter(at("2026-01-01T00:00:00Z"))).isEmpty();
      assertThat(new Schedule.Cron("* * * * *", UTC, null, null).nextAfter(Instant.MAX)).isEmpty();
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", " ", "* * * *", "* * * * * * *", "61 * * * *", "* 24 * * *", "* * 0 * *",
        "* * * 13 *", "* * * * 8", "0 0 ? * *", "0 0 L * *", "0 0 1W * *", "0 0 * * 5#2", "@daily", "a b c d e",
        "60 * * * * *"})
    void rejectsInvalidExpressions(String expression) {
      assertThatThrownBy(() -> new Schedule.Cron(expression, UTC, null, null))
          .isInstanceOfSatisfying(WhiskfeedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER))
          .hasMessage("cron pattern '" + expression + "' is not valid");
    }
  }

  /** Europe/Berlin 2026: summer time starts 29 March 02:00 → 03:00, ends 25 October 03:00 → 02:00. */
  @Nested
  class DaylightSaving {
    private Instant berlin(String local) {
      return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    @Test
    void aTimeInTheSkippedHourDoesNotFireThatDay() {
      Schedule.Cron s = new Schedule.Cron("30 2 * * *", BERLIN, null, null);
      assertThat(fires(s, berlin("2026-03-28T12:00"), 2))
          .isEqualTo(instants("2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z")); // 02:30 CEST on 30 and 31 March
    }

    @Test
    void steppingThroughTheSkippedHourContinuesAtThree() {
      Schedule.Cron s = new Schedule.Cron("*/30 * * * *", BERLIN, null, null);
      assertThat(fires(s, berlin("2026-03-29T01:10"), 3))
          .isEqualTo(List.of(berlin("2026-03-29T01:30"), berlin("2026-03-29T03:00"), berlin("2026-03-29T03:30")));
    }

    @Test
    void aTimeInTheRepeatedHourFiresOnceAtItsFirstOccurrence() {
      Schedule.Cron s = new Schedule.Cron("30 2 * * *", BERLIN, null, null);
      assertThat(fires(s, berlin("2026-10-24T12:00"), 2))
          .isEqualTo(instants("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z")); // 02:30 CEST, then 02:30 CET next day
    }

    @Test
    void steppingThroughTheRepeatedHourFiresInBothPasses() {
      Schedule.Cron s = new Schedule.Cron("*/30 * * * *", BERLIN, null, null);
      assertThat(fires(s, at("2026-10-24T23:40:00Z"), 5)).isEqualTo(instants(
          "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", // 02:00, 02:30 CEST
          "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", // 02:00, 02:30 CET
          "2026-10-25T02:00:00Z"));                       // 03:00 CET
    }
  }

  @Nested
  class Interval {
    private final Instant anchor = at("2026-01-01T10:00:00Z");

    @ParameterizedTest(name = "after {0} -> {1}")
    @CsvSource({
      "2025-06-01T00:00:00Z,     2026-01-01T10:00:00Z", // the anchor itself is the first fire
      "2026-01-01T10:00:00Z,     2026-01-01T10:05:00Z",
      "2026-01-01T10:04:59.999Z, 2026-01-01T10:05:00Z",
      "2026-01-01T10:05:00Z,     2026-01-01T10:10:00Z",
      "2026-01-02T10:02:00Z,     2026-01-02T10:05:00Z",
    })
    void firesAtAnchorPlusMultiples(String t, String expected) {
      assertThat(new Schedule.Interval(5, anchor, null).nextAfter(at(t))).contains(at(expected));
    }

    @Test
    void stopEndsTheSchedule() {
      Schedule.Interval s = new Schedule.Interval(60, anchor, at("2026-01-01T12:30:00Z"));
      assertThat(fires(s, anchor, 10)).isEqualTo(instants("2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z"));
    }

    @Test
    void hugeIntervalsEndInsteadOfOverflowing() {
      assertThat(new Schedule.Interval(Long.MAX_VALUE, anchor, null).nextAfter(anchor)).isEmpty();
      assertThat(new Schedule.Interval(60, anchor, null).nextAfter(Instant.MAX)).isEmpty();
    }

    @Test
    void minutesMustBePositive() {
      assertThatThrownBy(() -> new Schedule.Interval(0, anchor, null))
          .isInstanceOf(WhiskfeedException.class).hasMessage("the minutes parameter must be an integer greater than zero");
    }
  }

  @Test
  void onceFiresOnlyBeforeItsDate() {
    Schedule.Once s = new Schedule.Once(at("2026-11-22T06:00:00Z"));
    assertThat(s.nextAfter(at("2026-11-22T05:59:59Z"))).contains(at("2026-11-22T06:00:00Z"));
    assertThat(s.nextAfter(at("2026-11-22T06:00:00Z"))).isEmpty();
    assertThat(s.nextAfter(at("2027-01-01T00:00:00Z"))).isEmpty();
  }
}
