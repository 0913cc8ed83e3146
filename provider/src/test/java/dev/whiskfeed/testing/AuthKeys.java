package dev.whiskfeed.testing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stand-in's idea of authentication: a namespace with no registered key accepts anything; once a key is
 * registered for it, only a registered key of that namespace passes.
 */
final class AuthKeys {

  private final Map<String, Set<String>> namespacesByKey = new ConcurrentHashMap<>();
  private final Set<String> guarded = ConcurrentHashMap.newKeySet();

  void register(String namespace, String authKey) {
    namespacesByKey.computeIfAbsent(authKey, key -> ConcurrentHashMap.newKeySet()).add(namespace);
    guarded.add(namespace);
  }

  /** The key stops working everywhere (a user rotated it). */
  void revoke(String authKey) {
    namespacesByKey.remove(authKey);
  }

  void clear() {
    namespacesByKey.clear();
    guarded.clear();
  }

  /** 200 when allowed; 401 with no or an unknown key; 403 with a key of another namespace. */
  int check(String namespace, String authKey) {
    if (!guarded.contains(namespace)) {
      return 200;
    }
    Set<String> namespaces = authKey == null ? null : namespacesByKey.get(authKey);
    if (namespaces == null) {
      return 401;
    }
    return namespaces.contains(namespace) ? 200 : 403;
  }
}
