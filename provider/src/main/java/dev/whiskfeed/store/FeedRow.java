package dev.whiskfeed.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;

/** One row of {@code whiskfeed.feeds}, as stored (secrets still sealed). */
public record FeedRow(
    long id,
    String namespace,
    String trigger,
    String kind,
    JsonObject config,
    JsonObject secrets,
    String authKey,
    String state,
    JsonObject reason,
    Instant dateChanged,
    long fires,
    Instant lastFireAt,
    String hookTokenHash,
    String hookTokenSealed,
    long version,
    Instant captureStoppedAt) {

  static final String COLUMNS = "id, namespace, trigger, kind, config, secrets, auth_key, state, reason, date_changed, "
      + "fires, last_fire_at, hook_token_hash, hook_token_sealed, version, "
      + "capture_stopped_at";

  static FeedRow of(Row r) {
    return new FeedRow(
        r.getLong("id"),
        r.getString("namespace"),
        r.getString("trigger"),
        r.getString("kind"),
        r.getJsonObject("config"),
        r.getJsonObject("secrets"),
        r.getString("auth_key"),
        r.getString("state"),
        r.getJsonObject("reason"),
        instant(r.getOffsetDateTime("date_changed")),
        r.getLong("fires"),
        instant(r.getOffsetDateTime("last_fire_at")),
        r.getString("hook_token_hash"),
        r.getString("hook_token_sealed"),
        r.getLong("version"),
        instant(r.getOffsetDateTime("capture_stopped_at")));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
