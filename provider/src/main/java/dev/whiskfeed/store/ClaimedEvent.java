package dev.whiskfeed.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.UUID;

/**
 * An event this instance holds a lease on. {@code previousHolder} is set when another holder's lease
 * expired; {@code dueAt} is when it became due (its {@code next_attempt_at} before this lease), read by
 * unordered claims only.
 */
public record ClaimedEvent(UUID id, long seq, long feedId, String op, JsonObject payload, Instant createdAt,
                           int attempts, int throttled, String previousHolder, Instant dueAt) {
  static ClaimedEvent of(Row r) {
    int due = r.getColumnIndex("due_at");
    return new ClaimedEvent(r.getUUID("id"), r.getLong("seq"), r.getLong("feed_id"), r.getString("op"),
        ExactJson.object(r.getString("payload")), r.getOffsetDateTime("created_at").toInstant(), r.getInteger("attempts"),
        r.getInteger("throttled"), r.getString("prev"), due < 0 ? null : r.getOffsetDateTime(due).toInstant());
  }
}
