package dev.whiskfeed.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.UUID;

/** An event this instance holds a lease on. {@code previousHolder} is set when another holder's lease expired. */
public record ClaimedEvent(UUID id, long seq, long feedId, String op, JsonObject payload, Instant createdAt,
                           int attempts, int throttled, String previousHolder) {
  static ClaimedEvent of(Row r) {
    return new ClaimedEvent(r.getUUID("id"), r.getLong("seq"), r.getLong("feed_id"), r.getString("op"),
        ExactJson.object(r.getString("payload")), r.getOffsetDateTime("created_at").toInstant(), r.getInteger("attempts"),
        r.getInteger("throttled"), r.getString("prev"));
  }
}
