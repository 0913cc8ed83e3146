package dev.whiskfeed.alarms;

import dev.whiskfeed.feed.FeedId;
import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.openwhisk.QualifiedName;
import io.vertx.core.Future;
import java.util.List;

/**
 * Deletes a trigger through the OpenWhisk API with the feed's stored key, as the alarms package
 * does for {@code deleteAfterFire}: with {@code rules}, first each of the trigger's rules, then the
 * trigger. A 404 counts as done, so a removal interrupted half-way can simply run again.
 */
final class TriggerRemoval {
  private final OpenWhiskClient openwhisk;

  TriggerRemoval(OpenWhiskClient openwhisk) {
    this.openwhisk = openwhisk;
  }

  Future<Void> remove(FeedId trigger, String authKey, boolean withRules) {
    QualifiedName name = trigger.qualifiedName();
    Future<Void> rulesGone = withRules
        ? openwhisk.triggerRules(name, authKey).compose(rules -> deleteRules(rules, authKey))
        : Future.succeededFuture();
    return rulesGone.compose(v -> openwhisk.deleteTrigger(name, authKey));
  }

  // one after another: a trigger has few rules, and OpenWhisk throttles per namespace
  private Future<Void> deleteRules(List<QualifiedName> rules, String authKey) {
    Future<Void> done = Future.succeededFuture();
    for (QualifiedName rule : rules) {
      done = done.compose(v -> openwhisk.deleteRule(rule, authKey));
    }
    return done;
  }
}
