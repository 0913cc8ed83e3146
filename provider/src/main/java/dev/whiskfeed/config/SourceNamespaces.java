package dev.whiskfeed.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code WHISKFEED_SOURCE_NAMESPACES}: which namespaces may capture from which database,
 * {@code orders=teamA,teamB;billing=*;control=*}. {@link #CONTROL} names the control database, the
 * other names are those of {@code WHISKFEED_SOURCES}. A database not listed is open to every
 * namespace in embedded mode (one user) and to none when {@code WHISKFEED_DB_URL} is set (a shared
 * provider: capturing a table hands its rows to the capturer, so the operator says who may).
 *
 * @param listed the namespaces of each listed database; {@code *} = every namespace
 * @param openWhenUnlisted what a database not listed is open to: every namespace, or none
 */
public record SourceNamespaces(Map<String, Set<String>> listed, boolean openWhenUnlisted) {
  public static final String CONTROL = "control";
  public static final String ANY = "*";

  public SourceNamespaces {
    Map<String, Set<String>> copy = new LinkedHashMap<>();
    listed.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
    listed = java.util.Collections.unmodifiableMap(copy);
  }

  /** Every namespace may capture from every database (embedded mode without the variable). */
  public static SourceNamespaces open() {
    return new SourceNamespaces(Map.of(), true);
  }

  /** May {@code namespace} capture from {@code database} ({@link #CONTROL} or a source name)? */
  public boolean allows(String database, String namespace) {
    Set<String> namespaces = listed.get(database);
    if (namespaces == null) return openWhenUnlisted;
    return namespaces.contains(ANY) || namespaces.contains(namespace);
  }

  /** For the start-up log: {@code *}, a comma list, or {@code none}. */
  public String describe(String database) {
    Set<String> namespaces = listed.get(database);
    if (namespaces == null) return openWhenUnlisted ? ANY : "none";
    return namespaces.contains(ANY) ? ANY : String.join(",", new java.util.TreeSet<>(namespaces));
  }

  /**
   * Parses the variable against the configured source names: every name must be {@code control} or
   * a source, named once; every namespace a name or {@code *}.
   */
  public static SourceNamespaces parse(String raw, Set<String> sources, boolean embedded) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String entry : raw.split(";")) {
      if (entry.isBlank()) continue;
      int eq = entry.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("expected database=namespace,namespace entries separated by ';'");
      String database = entry.substring(0, eq).trim();
      if (!database.equals(CONTROL) && !sources.contains(database)) {
        throw new IllegalArgumentException("'" + database + "' is neither control nor a source of WHISKFEED_SOURCES");
      }
      Set<String> namespaces = new LinkedHashSet<>();
      for (String ns : entry.substring(eq + 1).split(",")) {
        String name = ns.trim();
        if (name.isEmpty()) continue;
        if (!name.equals(ANY) && !name.matches("[\\w@.-][\\w@ .-]{0,255}")) {
          throw new IllegalArgumentException("'" + name + "' (for " + database + ") is not a namespace name or *");
        }
        namespaces.add(name);
      }
      if (namespaces.isEmpty()) {
        throw new IllegalArgumentException(database + " lists no namespace (leave it out to close it)");
      }
      if (out.put(database, namespaces) != null) throw new IllegalArgumentException(database + " is listed twice");
    }
    return new SourceNamespaces(out, embedded);
  }
}
