package dev.whiskfeed.alarms;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import dev.whiskfeed.error.WhiskfeedException;

/** The two cron dialects, chosen by field count. */
final class CronExpressions {
  private static final CronParser FIVE_FIELDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser SIX_FIELDS = new CronParser(unixWithSeconds());

  private CronExpressions() {}

  /** Parses a 5- or 6-field expression; any other input fails with the alarms package's message. */
  static Cron parse(String expression) {
    String trimmed = expression == null ? "" : expression.strip();
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
