package dev.whiskfeed.app;

import dev.whiskfeed.capture.ChangesRules;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.feed.TypeCheckedRules;
import dev.whiskfeed.feed.TypeCheckedRules.Type;
import dev.whiskfeed.hooks.WebhookRules;
import dev.whiskfeed.store.HookRepository;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;

/** The rules of each feed kind (API.md "Feed parameters"). */
final class KindCatalog {
  private KindCatalog() {}

  static Map<FeedKind, KindRules> rules(ChangesRules changes) {
    Map<FeedKind, KindRules> rules = new EnumMap<>(FeedKind.class);
    rules.put(FeedKind.CHANGES, changes);
    rules.put(FeedKind.WEBHOOK, new WebhookRules(new SecureRandom(), new HookRepository()));
    rules.put(FeedKind.ALARM, new TypeCheckedRules(FeedKind.ALARM, Map.ofEntries(
        Map.entry("cron", Type.STRING), Map.entry("minutes", Type.ANY), Map.entry("date", Type.ANY),
        Map.entry("timezone", Type.STRING), Map.entry("startDate", Type.ANY), Map.entry("stopDate", Type.ANY),
        Map.entry("trigger_payload", Type.ANY), Map.entry("deleteAfterFire", Type.ANY),
        Map.entry("catchUp", Type.BOOLEAN), Map.entry("spreadSec", Type.INTEGER))));
    return rules;
  }
}
