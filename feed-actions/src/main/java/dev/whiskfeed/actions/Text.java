package dev.whiskfeed.actions;

/**
 * Java 8 stand-ins for {@code String.isBlank} and {@code String.strip}: whitespace is what
 * {@link Character#isWhitespace(int)} says, as in those methods (unlike {@code trim}).
 */
final class Text {
  private Text() {}

  static boolean isBlank(String text) {
    return firstNonWhitespace(text) == text.length();
  }

  static String strip(String text) {
    int start = firstNonWhitespace(text);
    int end = text.length();
    while (end > start) {
      int c = text.codePointBefore(end);
      if (!Character.isWhitespace(c)) {
        break;
      }
      end -= Character.charCount(c);
    }
    return text.substring(start, end);
  }

  private static int firstNonWhitespace(String text) {
    int i = 0;
    while (i < text.length()) {
      int c = text.codePointAt(i);
      if (!Character.isWhitespace(c)) {
        break;
      }
      i += Character.charCount(c);
    }
    return i;
  }
}
