package dev.whiskfeed.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.deliver.FireCheck.Reservation;
import dev.whiskfeed.deliver.FireCheck.Verdict;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FireCheckTest {

  /**
   * A fire that got its slot. feed: the registry's feed now ("gone": none; a state; "limited": active
   * with maxTriggers); breaker: whether it lets this fire go; pace: nanoseconds until the namespace's
   * pace allows a fire.
   */
  // leasesSafe, feed, breaker, pace | verdict
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiterString = "|", value = {
    "true,  active,   true,  0          | FIRE",
    "true,  limited,  true,  0          | RESERVE",
    "true,  active,   true,  1          | WAIT_FOR_PACE",
    "true,  limited,  true,  5000000000 | WAIT_FOR_PACE",
    "true,  active,   false, 0          | HAND_BACK",
    "true,  active,   false, 1          | HAND_BACK",
    "true,  paused,   true,  0          | HAND_BACK",
    "true,  disabled, true,  0          | HAND_BACK",
    "true,  gone,     true,  0          | HAND_BACK",
    "true,  gone,     false, 1          | HAND_BACK",
    "false, active,   true,  0          | LEASE_LOST",
    "false, gone,     false, 1          | LEASE_LOST",
    "false, limited,  true,  0          | LEASE_LOST",
  })
  void aFireWithItsSlot(String facts, Verdict expected) {
    String[] in = facts.split(",\\s*");
    Target feed = switch (in[1].strip()) {
      case "gone" -> null;
      case "limited" -> target("active", 10);
      default -> target(in[1].strip(), 0);
    };

    Verdict v = FireCheck.before(Boolean.parseBoolean(in[0].strip()), feed, Boolean.parseBoolean(in[2].strip()),
        Long.parseLong(in[3].strip()));

    assertThat(v).isEqualTo(expected);
  }

  /** A limited feed's reservation: failed, none left (""), or its fires used including this one of max. */
  // failed, used, max | reservation
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiterString = "|", value = {
    "false, 1,  10 | FIRE",
    "false, 9,  10 | FIRE",
    "false, 10, 10 | FIRE_LAST",
    "false, 1,  1  | FIRE_LAST",
    "false, -,  10 | MAX_REACHED",
    "true,  -,  10 | HAND_BACK",
    "true,  1,  10 | HAND_BACK",
  })
  void aLimitedFeedsReservation(String facts, Reservation expected) {
    String[] in = facts.split(",\\s*");
    Optional<long[]> used = "-".equals(in[1].strip()) ? Optional.empty()
        : Optional.of(new long[] {Long.parseLong(in[1].strip()), Long.parseLong(in[2].strip())});

    assertThat(FireCheck.reserved(Boolean.parseBoolean(in[0].strip()), used)).isEqualTo(expected);
  }

  private static Target target(String state, int maxTriggers) {
    return new Target(7, "guest", "t7", "webhook", "key", state, "control", maxTriggers, 3, 1, 30, 1, 1_000_000, false);
  }
}
