package dev.whiskfeed.app;

import dev.whiskfeed.alarms.AlarmRules;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.feed.TypeCheckedRules;
import dev.whiskfeed.feed.TypeCheckedRules.Type;
import dev.whiskfeed.store.AlarmScheduleRepository;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;

/** The rules of each feed kind (API.md "Feed parameters"). */
final class KindCatalog {
  private KindCatalog() {}

  static Map<FeedKind, KindRules> rules(Clock clock) {
    Map<FeedKind, KindRules> rules = new EnumMap<>(FeedKind.class);
    rules.put(FeedKind.CHANGES, new TypeCheckedRules(FeedKind.CHANGES, Map.of(
        "table", Type.STRING, "events", Type.STRING_OR_ARRAY, "columns", Type.STRING_OR_ARRAY,
        "payloadColumns", Type.STRING_OR_ARRAY, "source", Type.STRING, "database", Type.STRING,
        "mode", Type.STRING, "pollIntervalSec", Type.INTEGER)));
    rules.put(FeedKind.WEBHOOK, new TypeCheckedRules(FeedKind.WEBHOOK, Map.of(
        "secret", Type.STRING, "maxBodyBytes", Type.INTEGER, "rateLimitPerSec", Type.INTEGER)));
    rules.put(FeedKind.ALARM, new AlarmRules(new AlarmScheduleRepository(), clock));
    return rules;
  }
}
