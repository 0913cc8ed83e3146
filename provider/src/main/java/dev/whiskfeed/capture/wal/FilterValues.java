package dev.whiskfeed.capture.wal;

import dev.whiskfeed.capture.FilterType;
import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * A column value as a row filter compares it in Java, with Postgres' ordering for its type. Reads
 * both a column's text output (as pgoutput sends it: DateStyle ISO, {@code t}/{@code f}) and a
 * filter value's stored text (as {@code to_jsonb} prints it: {@code T} between date and time,
 * {@code true}/{@code false}), so one parser serves both sides of a comparison.
 */
final class FilterValues {
  private static final long MICROS_PER_DAY = 86_400_000_000L;
  /** Postgres counts from 2000-01-01; so does this, so its widest timestamps fit in a long too. */
  private static final long EPOCH_2000_DAY = LocalDate.of(2000, 1, 1).toEpochDay();

  private FilterValues() {}

  /** A number with numeric's order: -Infinity, the numbers (-0 = 0), Infinity, NaN (NaN = NaN). */
  record Num(int rank, BigDecimal value) implements Comparable<Num> {
    static Num parse(String text) {
      return switch (text) {
        case "NaN" -> new Num(2, null);
        case "Infinity" -> new Num(1, null);
        case "-Infinity" -> new Num(-1, null);
        default -> new Num(0, new BigDecimal(text));
      };
    }

    @Override
    public int compareTo(Num o) {
      if (rank != o.rank) return Integer.compare(rank, o.rank);
      return rank == 0 ? value.compareTo(o.value) : 0;
    }
  }

  /**
   * The comparable key of {@code value} (a column's text, or a stored filter value: a String or a
   * Boolean) for a column of kind {@code type}.
   *
   * @throws IllegalArgumentException when the text is not of the type
   */
  static Comparable<?> key(FilterType type, Object value) {
    if (value instanceof Boolean b) {
      if (type != FilterType.BOOL) throw new IllegalArgumentException("a boolean for a " + type + " column");
      return b;
    }
    String text = (String) value;
    return switch (type) {
      case NUMBER -> Num.parse(text);
      case DATE -> date(text);
      case TIME -> time(text, 0);
      case TIMESTAMP -> timestamp(text, false);
      case TIMESTAMPTZ -> timestamp(text, true);
      case BOOL -> bool(text);
      case CHAR -> rtrim(text);
      case TEXT, ENUM, UUID -> text;
      case OTHER -> throw new IllegalArgumentException("no comparison on this type");
    };
  }

  /** What character(n) compares: the text without its trailing spaces. */
  static String rtrim(String text) {
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == ' ') end--;
    return text.substring(0, end);
  }

  private static Boolean bool(String text) {
    return switch (text) {
      case "t", "true" -> Boolean.TRUE;
      case "f", "false" -> Boolean.FALSE;
      default -> throw new IllegalArgumentException("not a boolean: " + text);
    };
  }

  /** Days since 2000-01-01; ±infinity at the ends. */
  static long date(String text) {
    Long infinite = infinity(text);
    if (infinite != null) return infinite;
    boolean bc = text.endsWith(" BC");
    String s = bc ? text.substring(0, text.length() - 3) : text;
    return day(s, bc);
  }

  /** Microseconds since 2000-01-01 00:00 (UTC for timestamptz); ±infinity at the ends. */
  static long timestamp(String text, boolean zoned) {
    Long infinite = infinity(text);
    if (infinite != null) return infinite;
    boolean bc = text.endsWith(" BC");
    String s = bc ? text.substring(0, text.length() - 3) : text;
    int sep = s.indexOf('T') >= 0 ? s.indexOf('T') : s.indexOf(' ');
    if (sep < 0) throw new IllegalArgumentException("not a timestamp: " + text);
    long day = day(s.substring(0, sep), bc);
    String time = s.substring(sep + 1);
    int zone = -1;
    for (int i = 0; i < time.length(); i++) {
      char c = time.charAt(i);
      if (c == '+' || c == '-') {
        zone = i;
        break;
      }
    }
    if (zoned != (zone >= 0)) throw new IllegalArgumentException((zoned ? "no" : "an") + " offset in " + text);
    long offsetSeconds = zone < 0 ? 0 : offset(time.substring(zone));
    long micros = time(zone < 0 ? time : time.substring(0, zone), 0);
    return day * MICROS_PER_DAY + micros - offsetSeconds * 1_000_000L;
  }

  /** Microseconds since midnight ({@code 24:00:00} is the end of the day). */
  static long time(String text, int from) {
    String[] hms = text.substring(from).split(":", -1);
    if (hms.length != 3) throw new IllegalArgumentException("not a time: " + text);
    long hours = Long.parseLong(hms[0]);
    long minutes = Long.parseLong(hms[1]);
    String sec = hms[2];
    int dot = sec.indexOf('.');
    long seconds = Long.parseLong(dot < 0 ? sec : sec.substring(0, dot));
    long fraction = 0;
    if (dot >= 0) {
      String digits = (sec.substring(dot + 1) + "000000").substring(0, 6);
      fraction = Long.parseLong(digits);
    }
    return ((hours * 60 + minutes) * 60 + seconds) * 1_000_000L + fraction;
  }

  private static long offset(String zone) {
    int sign = zone.charAt(0) == '-' ? -1 : 1;
    String[] parts = zone.substring(1).split(":", -1);
    long seconds = Long.parseLong(parts[0]) * 3600;
    if (parts.length > 1) seconds += Long.parseLong(parts[1]) * 60;
    if (parts.length > 2) seconds += Long.parseLong(parts[2]);
    return sign * seconds;
  }

  private static long day(String ymd, boolean bc) {
    int dash1 = ymd.indexOf('-');
    int dash2 = ymd.indexOf('-', dash1 + 1);
    if (dash1 <= 0 || dash2 < 0) throw new IllegalArgumentException("not a date: " + ymd);
    int year = Integer.parseInt(ymd.substring(0, dash1));
    int month = Integer.parseInt(ymd.substring(dash1 + 1, dash2));
    int dayOfMonth = Integer.parseInt(ymd.substring(dash2 + 1));
    // 1 BC is year 0 of the proleptic Gregorian calendar Postgres uses
    return LocalDate.of(bc ? 1 - year : year, month, dayOfMonth).toEpochDay() - EPOCH_2000_DAY;
  }

  private static Long infinity(String text) {
    return switch (text) {
      case "infinity" -> Long.MAX_VALUE;
      case "-infinity" -> Long.MIN_VALUE;
      default -> null;
    };
  }
}
