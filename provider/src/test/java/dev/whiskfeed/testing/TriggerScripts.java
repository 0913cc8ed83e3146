package dev.whiskfeed.testing;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/** What the stand-in knows about triggers, and what a test scripted for their fires. Safe across threads. */
final class TriggerScripts {

  record TriggerId(String namespace, String name) {}

  /** Answers a fraction of all fires with a failure a real controller produces under stress. */
  private record RandomFailures(double fraction, Random random, List<Reply> failures) {
    static final List<Reply> DEFAULT = List.of(Reply.status(500), Reply.status(502), Reply.status(503),
        Reply.status(429), Reply.drop());

    /** A failure, or null; one draw per fire keeps the sequence fixed by the seed. */
    Reply next() {
      double draw = random.nextDouble();
      return draw < fraction ? failures.get((int) (draw / fraction * failures.size())) : null;
    }
  }

  private final Set<TriggerId> missing = ConcurrentHashMap.newKeySet();
  private final Set<TriggerId> withoutActiveRule = ConcurrentHashMap.newKeySet();
  private final Map<TriggerId, Set<String>> rules = new ConcurrentHashMap<>();
  private final Map<TriggerId, Queue<Reply>> queued = new ConcurrentHashMap<>();
  private final Map<TriggerId, Reply> defaults = new ConcurrentHashMap<>();
  private final AtomicReference<RandomFailures> randomFailures = new AtomicReference<>();

  void setMissing(TriggerId id, boolean isMissing) {
    if (isMissing) {
      missing.add(id);
    } else {
      missing.remove(id);
    }
  }

  boolean isMissing(TriggerId id) {
    return missing.contains(id);
  }

  void setRules(TriggerId id, List<String> ruleNames) {
    Set<String> names = ConcurrentHashMap.newKeySet();
    ruleNames.forEach(rule -> names.add(rule.contains("/") ? rule : id.namespace() + "/" + rule));
    rules.put(id, names);
  }

  /** Qualified rule names ({@code ns/rule}) of the trigger, sorted. */
  Set<String> rules(TriggerId id) {
    return new LinkedHashSet<>(rules.getOrDefault(id, Set.of()).stream().sorted().toList());
  }

  void removeRule(String namespace, String rule) {
    rules.values().forEach(names -> names.remove(namespace + "/" + rule));
  }

  void noActiveRule(TriggerId id) {
    withoutActiveRule.add(id);
  }

  void queue(TriggerId id, List<Reply> replies) {
    queued.computeIfAbsent(id, key -> new ConcurrentLinkedQueue<>()).addAll(replies);
  }

  void setDefault(TriggerId id, Reply reply) {
    defaults.put(id, reply);
  }

  void failRandomly(double fraction, long seed) {
    failRandomly(fraction, seed, RandomFailures.DEFAULT);
  }

  void failRandomly(double fraction, long seed, List<Reply> failures) {
    randomFailures.set(fraction <= 0 ? null : new RandomFailures(fraction, new Random(seed), List.copyOf(failures)));
  }

  /** The answer to the next fire: missing trigger, then queued replies, random failures, default, normal. */
  Reply nextFire(TriggerId id) {
    if (missing.contains(id)) {
      return Reply.status(404);
    }
    Reply scripted = queued.getOrDefault(id, new ConcurrentLinkedQueue<>()).poll();
    if (scripted != null) {
      return scripted;
    }
    RandomFailures failures = randomFailures.get();
    Reply failure = failures == null ? null : failures.next();
    if (failure != null) {
      return failure;
    }
    return defaults.getOrDefault(id, withoutActiveRule.contains(id) ? Reply.noActiveRule() : Reply.accepted());
  }

  void clear() {
    missing.clear();
    withoutActiveRule.clear();
    rules.clear();
    queued.clear();
    defaults.clear();
    randomFailures.set(null);
  }
}
