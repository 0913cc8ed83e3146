package dev.whiskfeed.openwhisk;

/**
 * An OpenWhisk entity's namespace and name: a trigger, or a rule. The keys of a trigger's
 * {@code rules} are written {@code ns/name}; a key without a namespace is in the default one, {@code _}.
 */
public record QualifiedName(String namespace, String name) {
  public static final String DEFAULT_NAMESPACE = "_";

  /** Parses a {@code rules} key: {@code ns/name}, or {@code name} in the default namespace. */
  public static QualifiedName parse(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? new QualifiedName(DEFAULT_NAMESPACE, key)
        : new QualifiedName(key.substring(0, slash), key.substring(slash + 1));
  }
}
