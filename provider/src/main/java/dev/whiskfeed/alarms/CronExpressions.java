package dev.whiskfeed.alarms;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.whiskfeed.error.WhiskfeedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two cron dialects, chosen by field count. Parsed expressions are cached: a thousand feeds
 * sharing {@code 0 * * * *} are parsed once, not once per instant on the event loop (cron-utils'
 * {@code Cron} and {@code ExecutionTime} hold no mutable state).
 */
final class CronExpressions {
  private static final int CACHE_LIMIT = 4096;
  private static final Map<String, Cron> PARSED = new ConcurrentHashMap<>();
  private static final Map<String, ExecutionTime> TIMES = new ConcurrentHashMap<>();

  private static final CronParser FIVE_FIELDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser SIX_FIELDS = new CronParser(unixWithSeconds());

  private CronExpressions() {}

  /** Parses a 5- or 6-field expression; any other input fails with the alarms package's message. */
  static Cron parse(String expression) {
    String trimmed = expression == null ? "" : expression.strip();
    Cron cached = PARSED.get(trimmed);
    if (cached != null) return cached;
    Cron parsed = parseUncached(expression, trimmed);
    if (PARSED.size() >= CACHE_LIMIT) PARSED.clear();
    PARSED.put(trimmed, parsed);
    return parsed;
  }

  /** The execution times of a valid expression. */
  static ExecutionTime executionTime(String expression) {
    ExecutionTime cached = TIMES.get(expression);
    if (cached != null) return cached;
    ExecutionTime times = ExecutionTime.forCron(parse(expression));
    if (TIMES.size() >= CACHE_LIMIT) TIMES.clear();
    TIMES.put(expression, times);
    return times;
  }

  private static Cron parseUncached(String expression, String trimmed) {
    int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    try {
      if (fields == 5) return FIVE_FIELDS.parse(trimmed).validate();
      if (fields == 6) return SIX_FIELDS.parse(trimmed).validate();
    } catch (RuntimeException invalid) { // cron-utils reports with IllegalArgumentException and friends
      throw invalid(expression);
    }
    throw invalid(expression);
  }

  static WhiskfeedException invalid(Object expression) {
    return WhiskfeedException.invalid("cron pattern '" + expression + "' is not valid");
  }

  // cron-utils' UNIX definition with a leading seconds field (its QUARTZ one would demand '?').
  private static CronDefinition unixWithSeconds() {
    return CronDefinitionBuilder.defineCron()
        .withSeconds().withValidRange(0, 59).withStrictRange().and()
        .withMinutes().withValidRange(0, 59).withStrictRange().and()
        .withHours().withValidRange(0, 23).withStrictRange().and()
        .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
        .withMonth().withValidRange(1, 12).withStrictRange().and()
        .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
        .instance();
  }
}
