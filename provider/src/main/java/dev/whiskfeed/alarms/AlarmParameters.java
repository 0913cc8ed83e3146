package dev.whiskfeed.alarms;

import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads an alarm feed's parameters into an {@link AlarmSpec}, failing on the first invalid one
 * with the OpenWhisk alarms package's message. {@code now == null} means restoring a stored
 * config: nothing has to lie in the future. {@code trigger} (the trigger's name, without
 * namespace) decides the {@code strict: false} delay.
 */
final class AlarmParameters {
  static final String DELETE_AFTER_FIRE_MESSAGE = "deleteAfterFire parameter must be one of [false, true, rules].";
  static final String SPREAD_SEC_MESSAGE = "spreadSec parameter must be an integer between 0 and 3600";
  static final String STRICT_MESSAGE = "strict parameter must be true or false";
  /** How long an interval without startDate waits for its first fire, as in the alarms package. */
  static final Duration INTERVAL_START_DELAY = Duration.ofSeconds(30);
  /** The largest {@code strict: false} delay: the package's ALARM_DELAY_LIMIT at its maximum. */
  static final int MAX_STRICT_DELAY_SEC = 59;

  private final JsonObject params;
  private final Instant now;
  private final String trigger;
  static final ZoneId UTC = ZoneId.of("UTC"); // not ZoneOffset.UTC: its id "Z" is no IANA zone
  private static final Set<String> ZONES = Set.copyOf(ZoneId.getAvailableZoneIds()); // a fresh copy per call

  private ZoneId zone = UTC;

  AlarmParameters(JsonObject params, Instant now, String trigger) {
    this.params = params == null ? new JsonObject() : params;
    this.now = now;
    this.trigger = Objects.requireNonNull(trigger, "trigger");
  }

  AlarmSpec spec() {
    long kinds = Stream.of("cron", "minutes", "date").filter(this::present).count();
    if (kinds != 1) {
      throw WhiskfeedException.invalid("exactly one of the cron, minutes or date parameters must be specified");
    }
    zone = timezone();
    boolean strict = strict();
    Schedule schedule = present("date") ? once() : recurring(strict);
    boolean once = schedule instanceof Schedule.Once;
    return new AlarmSpec(schedule, triggerPayload(), once ? deleteAfterFire() : checkedFalse(), catchUp(), spreadSec(),
        strict);
  }

  private Schedule once() {
    Object raw = params.getValue("date");
    Instant date = date(raw, "date");
    if (now != null && !date.isAfter(now)) {
      throw WhiskfeedException.invalid("date parameter '" + raw + "' must be in the future");
    }
    return new Schedule.Once(date);
  }

  private Schedule recurring(boolean strict) {
    String cron = present("cron") ? cronExpression() : null;
    long minutes = cron == null ? minutes() : 0;
    Instant start = present("startDate") ? date(params.getValue("startDate"), "startDate") : null;
    Instant stop = present("stopDate") ? stopDate(start, cron == null) : null;
    if (cron != null) return new Schedule.Cron(cron, zone, start, stop, strict ? 0 : strictDelaySec(cron, trigger));
    Instant anchor = start != null ? start : now == null ? null : now.plus(INTERVAL_START_DELAY);
    if (anchor == null) throw WhiskfeedException.invalid("startDate parameter is required to restore an interval");
    return new Schedule.Interval(minutes, anchor, stop);
  }

  /**
   * The alarms package's {@code strict: false} delay: 0 for a cron with a seconds field, else a
   * second in {@code [0, 59]} from the trigger's name, the same before and after a restart. The
   * hash is the package provider's, computed here as its JavaScript does (h = int32(h)·32 − h +
   * UTF-16 unit, in exact integers; then |h mod 60|), so a trigger fires on the same second as it
   * did there with {@code ALARM_DELAY_LIMIT=59}.
   */
  static int strictDelaySec(String cron, String trigger) {
    if (cron.strip().split("\\s+").length != 5) return 0;
    long hash = 0;
    for (int i = 0; i < trigger.length(); i++) {
      hash = (((int) hash) << 5) - hash + trigger.charAt(i);
    }
    return (int) Math.abs(hash % (MAX_STRICT_DELAY_SEC + 1));
  }

  /** As the package: booleans, or the strings "true" and "false" in any case; default true. */
  private boolean strict() {
    Object raw = params.getValue("strict");
    if (raw == null) return true;
    if (raw instanceof Boolean) return (Boolean) raw;
    String text = raw instanceof String ? ((String) raw).strip().toLowerCase(Locale.ROOT) : "";
    if (text.equals("true") || text.equals("false")) return text.equals("true");
    throw WhiskfeedException.invalid(STRICT_MESSAGE);
  }

  private String cronExpression() {
    Object raw = params.getValue("cron");
    if (!(raw instanceof String)) throw CronExpressions.invalid(raw);
    String expression = ((String) raw).strip();
    CronExpressions.parse(expression);
    return expression;
  }

  private long minutes() {
    Long minutes = integral(params.getValue("minutes"));
    if (minutes == null) throw WhiskfeedException.invalid("the minutes parameter must be an integer");
    if (minutes <= 0) throw WhiskfeedException.invalid(Schedule.MINUTES_MESSAGE);
    return minutes;
  }

  private Instant stopDate(Instant start, boolean interval) {
    Object raw = params.getValue("stopDate");
    Instant stop = date(raw, "stopDate");
    if (start != null && !stop.isAfter(start)) {
      throw WhiskfeedException.invalid("stopDate parameter '" + raw
          + "' must be greater than the startDate parameter '" + params.getValue("startDate") + "'");
    }
    if (start == null && now != null && !stop.isAfter(now)) {
      throw WhiskfeedException.invalid("stopDate parameter '" + raw + "' must be in the future");
    }
    Long maxTriggers = integral(params.getValue("maxTriggers"));
    if (present("maxTriggers") && (maxTriggers == null || maxTriggers != -1)) {
      throw WhiskfeedException.invalid(interval ? "maxTriggers is not supported for the interval trigger feed"
          : "maxTriggers is not allowed when the stopDate parameter is specified");
    }
    return stop;
  }

  private ZoneId timezone() {
    if (!present("timezone")) return UTC;
    Object raw = params.getValue("timezone");
    if (!(raw instanceof String) || !ZONES.contains(raw)) {
      throw WhiskfeedException.invalid("Invalid timezone.");
    }
    return ZoneId.of((String) raw);
  }

  private JsonObject triggerPayload() {
    Object raw = params.getValue("trigger_payload");
    if (raw == null) return new JsonObject();
    if (raw instanceof JsonObject) return ((JsonObject) raw).copy();
    if (raw instanceof String) return new JsonObject().put("payload", raw);
    throw WhiskfeedException.invalid("trigger_payload parameter must be an object or a string");
  }

  private String deleteAfterFire() {
    Object raw = params.getValue("deleteAfterFire");
    if (raw == null) return "false";
    String value = raw instanceof Boolean || raw instanceof String ? raw.toString().toLowerCase(Locale.ROOT) : "";
    if (!AlarmSpec.DELETE_AFTER_FIRE.contains(value)) throw WhiskfeedException.invalid(DELETE_AFTER_FIRE_MESSAGE);
    return value;
  }

  // deleteAfterFire means nothing for a recurring schedule, but a bad value is still bad input.
  private String checkedFalse() {
    deleteAfterFire();
    return "false";
  }

  private boolean catchUp() {
    Object raw = params.getValue("catchUp");
    if (raw == null) return true;
    if (!(raw instanceof Boolean)) throw WhiskfeedException.invalid("catchUp parameter must be a boolean");
    return (Boolean) raw;
  }

  private int spreadSec() {
    if (!present("spreadSec")) return 0;
    Long spread = integral(params.getValue("spreadSec"));
    if (spread == null || spread < 0 || spread > AlarmSpec.MAX_SPREAD_SEC) {
      throw WhiskfeedException.invalid(SPREAD_SEC_MESSAGE);
    }
    return spread.intValue();
  }

  private boolean present(String key) {
    return params.getValue(key) != null;
  }

  /** Epoch milliseconds (a number or a string of digits) or ISO 8601, zoneless in {@link #zone}. */
  private Instant date(Object raw, String name) {
    Instant parsed = null;
    if (raw instanceof Number) {
      Long millis = integral(raw);
      parsed = millis == null ? null : Instant.ofEpochMilli(millis);
    } else if (raw instanceof String) {
      parsed = dateText(((String) raw).strip());
    }
    if (parsed == null) throw WhiskfeedException.invalid(name + " parameter '" + raw + "' is not a valid Date");
    return parsed;
  }

  private Instant dateText(String text) {
    try {
      if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Instant.ofEpochMilli(Long.parseLong(text));
      }
      if (text.indexOf('T') < 0) return LocalDate.parse(text).atStartOfDay(zone).toInstant();
      TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from, LocalDateTime::from);
      return t instanceof ZonedDateTime ? ((ZonedDateTime) t).toInstant() : ((LocalDateTime) t).atZone(zone).toInstant();
    } catch (NumberFormatException | DateTimeParseException invalid) {
      return null;
    }
  }

  /** The value as a whole number, or null when it is not one (strings are not numbers here). */
  static Long integral(Object value) {
    try {
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
        return ((Number) value).longValue();
      }
      if (value instanceof BigInteger) return ((BigInteger) value).longValueExact();
      if (value instanceof BigDecimal) return ((BigDecimal) value).longValueExact();
      if (value instanceof Double || value instanceof Float) {
        return integral(BigDecimal.valueOf(((Number) value).doubleValue()));
      }
    } catch (ArithmeticException | NumberFormatException notWhole) { // NaN and infinities throw NFE
      return null;
    }
    return null;
  }
}
