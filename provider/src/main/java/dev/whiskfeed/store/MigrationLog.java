package dev.whiskfeed.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per schema migration applied, with how long it took: Flyway's own lines are kept
 * at WARN (they are chatter on every start), so without this a long migration at an upgrade would
 * leave the log silent until the provider serves. Nothing is logged when the schema is current.
 */
final class MigrationLog implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationLog.class);

  private final String set;
  private long startedAt;

  /** {@code set}: which migration set runs ({@code events} or {@code control}). */
  MigrationLog(String set) {
    this.set = set;
  }

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true;
  }

  @Override
  public void handle(Event event, Context context) {
    if (event == Event.BEFORE_EACH_MIGRATE) {
      startedAt = System.nanoTime();
      return;
    }
    MigrationInfo m = context.getMigrationInfo();
    if (m == null || m.getVersion() == null) return;
    LOG.info("{} {} {} {} {}", kv("event", "migration.applied"), kv("set", set), kv("version", m.getVersion().getVersion()),
        kv("description", m.getDescription()), kv("durationMs", (System.nanoTime() - startedAt) / 1_000_000));
  }

  @Override
  public String getCallbackName() {
    return "whiskfeed-migration-log";
  }
}
