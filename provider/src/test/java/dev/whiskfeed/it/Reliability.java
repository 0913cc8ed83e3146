package dev.whiskfeed.it;

import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the fault suite ({@code *ReliabilityIT}) shares: the size of a case (scaled down in the default build,
 * full size with {@code -Preliability}, which sets {@code whiskfeed.reliability.full}), the figures of the fires
 * that reached the stand-in OpenWhisk, and the one {@code RELIABILITY …} line every case prints.
 */
final class Reliability {
  static final String FULL_PROPERTY = "whiskfeed.reliability.full";

  private Reliability() {}

  static boolean full() {
    return Boolean.getBoolean(FULL_PROPERTY);
  }

  /** {@code scaled} in the default build, {@code fullSize} under {@code -Preliability}. */
  static int load(int scaled, int fullSize) {
    return full() ? fullSize : scaled;
  }

  /** The fires of a batchSize-1 feed, per event id, in arrival order. */
  static Map<String, List<Recorded>> byEvent(Collection<Recorded> fires) {
    Map<String, List<Recorded>> out = new HashMap<>();
    for (Recorded f : fires) out.computeIfAbsent(f.header("X-Whiskfeed-Event-Id"), k -> new ArrayList<>()).add(f);
    out.values().forEach(l -> l.sort((a, b) -> a.receivedAt().compareTo(b.receivedAt())));
    return out;
  }

  static boolean accepted(Recorded f) {
    return f.status() >= 200 && f.status() < 300;
  }

  /** Event ids OpenWhisk accepted at least once. */
  static Set<String> delivered(Collection<Recorded> fires) {
    return fires.stream().filter(Reliability::accepted).map(f -> f.header("X-Whiskfeed-Event-Id"))
        .collect(Collectors.toSet());
  }

  /** Accepted fires beyond the first of each event: what an action that does not deduplicate sees twice. */
  static long duplicated(Collection<Recorded> fires) {
    return fires.stream().filter(Reliability::accepted).count() - delivered(fires).size();
  }

  /** Event ids accepted more than once, for the report. */
  static List<String> duplicateIds(Collection<Recorded> fires) {
    return fires.stream().filter(Reliability::accepted).collect(Collectors.groupingBy(
            f -> f.header("X-Whiskfeed-Event-Id"), Collectors.counting()))
        .entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
  }

  static long count(TestDatabase db, String where) {
    return db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE " + where);
  }

  /** Prints the case's figures as one line and appends it to {@code target/reliability.txt}. */
  static void report(String name, int load, String faults, long written, long delivered, long duplicated, long lost,
                     long drainMs, String more) {
    String line = "RELIABILITY case=" + name + " load=" + load + " faults=" + faults + " written=" + written
        + " delivered=" + delivered + " duplicated=" + duplicated + " lost=" + lost + " drainMs=" + drainMs
        + (more == null || more.isBlank() ? "" : " " + more) + (full() ? " size=full" : " size=scaled");
    System.out.println(line);
    try {
      Files.writeString(Path.of("target", "reliability.txt"), line + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
