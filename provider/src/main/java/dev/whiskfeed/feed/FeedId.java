package dev.whiskfeed.feed;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.openwhisk.QualifiedName;
import java.util.regex.Pattern;

/** A trigger's fully qualified name, {@code /namespace/trigger}: the identity of its feed. */
public record FeedId(String namespace, String trigger) {
  // OpenWhisk entity names: letters, digits, '_', '@', '.', '-', and inner spaces; at most 256 characters.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_@.\\-][A-Za-z0-9_@.\\- ]{0,255}");

  public FeedId {
    if ("_".equals(namespace)) throw new WhiskfeedException(ErrorCode.NAMESPACE_UNRESOLVED);
    check("namespace", namespace);
    check("trigger", trigger);
  }

  /** A namespace as a filter names it: an OpenWhisk name (400 otherwise, as in a path). */
  public static String namespace(String value) {
    check("namespace", value);
    return value;
  }

  /** Parses {@code /ns/name}. */
  public static FeedId parse(String qualified) {
    String s = qualified == null ? "" : qualified;
    String[] parts = (s.startsWith("/") ? s.substring(1) : s).split("/", -1);
    if (parts.length != 2) throw WhiskfeedException.invalid("feed must be given as /namespace/trigger, was '" + s + "'");
    return new FeedId(parts[0], parts[1]);
  }

  /** The trigger as the OpenWhisk API names it. */
  public QualifiedName qualifiedName() {
    return new QualifiedName(namespace, trigger);
  }

  private static void check(String what, String value) {
    if (value == null || !NAME.matcher(value).matches() || value.endsWith(" ")) {
      throw WhiskfeedException.invalid(what + " name is not a valid OpenWhisk name");
    }
  }

  @Override
  public String toString() {
    return "/" + namespace + "/" + trigger;
  }
}
