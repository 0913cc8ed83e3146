package dev.whiskfeed.actions;

import java.nio.charset.StandardCharsets;

/** RFC 3986 percent-encoding of one path segment (unlike URLEncoder, a space is %20, not +). */
final class PathSegment {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PathSegment() {}

  static String encode(String segment) {
    if (segment.equals(".") || segment.equals("..")) {
      // Dot segments would be removed by URI normalization on the way to the provider.
      return segment.replace(".", "%2E");
    }
    StringBuilder out = new StringBuilder(segment.length() + 8);
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (isUnreserved(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }
}
