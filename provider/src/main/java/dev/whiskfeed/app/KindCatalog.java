package dev.whiskfeed.app;

import dev.whiskfeed.capture.ChangesRules;
import dev.whiskfeed.alarms.AlarmRules;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.hooks.WebhookRules;
import dev.whiskfeed.store.HookRepository;
import java.security.SecureRandom;
import dev.whiskfeed.store.AlarmScheduleRepository;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;

/** The rules of each feed kind (API.md "Feed parameters"). */
final class KindCatalog {
  private KindCatalog() {}

  static Map<FeedKind, KindRules> rules(ChangesRules changes, Clock clock) {
    Map<FeedKind, KindRules> rules = new EnumMap<>(FeedKind.class);
    rules.put(FeedKind.CHANGES, changes);
    rules.put(FeedKind.WEBHOOK, new WebhookRules(new SecureRandom(), new HookRepository()));
    rules.put(FeedKind.ALARM, new AlarmRules(new AlarmScheduleRepository(), clock));
    return rules;
  }
}
