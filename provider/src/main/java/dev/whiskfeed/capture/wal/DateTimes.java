package dev.whiskfeed.capture.wal;

/**
 * Turns a timestamp's or timestamptz's ISO text output (DateStyle ISO) into what to_jsonb prints,
 * Postgres' XSD style ({@code EncodeDateTime} with {@code USE_XSD_DATES}). The two differ in two
 * places only: {@code T} instead of the space between date and time, and the offset, which ISO
 * shortens to hours when minutes and seconds are zero ({@code +00}, {@code +05:30},
 * {@code +00:19:32}) and XSD does not ({@code +00:00}). Year digits, fractional seconds, the
 * {@code BC} suffix and {@code infinity}/{@code -infinity} are the same in both.
 */
final class DateTimes {
  private DateTimes() {}

  static String timestamp(String iso) {
    int space = iso.indexOf(' ');
    if (space < 0) return iso; // infinity, -infinity
    StringBuilder xsd = new StringBuilder(iso.length() + 4);
    xsd.append(iso, 0, space).append('T');
    int zone = zoneStart(iso, space + 1);
    int zoneEnd = iso.indexOf(' ', space + 1); // " BC"
    if (zoneEnd < 0) zoneEnd = iso.length();
    if (zone < 0 || zone > zoneEnd) {
      xsd.append(iso, space + 1, iso.length()); // timestamp: no offset
      return xsd.toString();
    }
    xsd.append(iso, space + 1, zoneEnd);
    int colon = iso.indexOf(':', zone);
    if (colon < 0 || colon > zoneEnd) xsd.append(":00"); // +HH → +HH:00
    xsd.append(iso, zoneEnd, iso.length());
    return xsd.toString();
  }

  /** The index of the offset's sign in the time part starting at {@code from}, or -1. */
  private static int zoneStart(String iso, int from) {
    for (int i = from; i < iso.length(); i++) {
      char c = iso.charAt(i);
      if (c == '+' || c == '-') return i;
      if (c == ' ') return -1;
    }
    return -1;
  }
}
