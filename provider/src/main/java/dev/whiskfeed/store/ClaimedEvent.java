package dev.whiskfeed.store;

import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An event this instance holds a lease on. {@code table} and {@code data} are the payload's two
 * parts as Postgres prints them (JSON text, numbers as stored; null when the payload has none): the
 * engine puts them into the fire's body as they are, never parsing and printing them again.
 * {@code previousHolder} is set when another holder's lease expired; {@code dueAt} is when it became
 * due (its {@code next_attempt_at}), read by unordered claims only. {@code claim} is the claim that
 * took it (a row of {@code whiskfeed.claims}, deleted once none of its events is held any more).
 */
public record ClaimedEvent(UUID id, long seq, long feedId, String op, String table, String data, Instant createdAt,
                           int attempts, int throttled, String previousHolder, Instant dueAt, long claim) {
  static ClaimedEvent of(Row r) {
    OffsetDateTime due = r.getOffsetDateTime("due_at");
    return new ClaimedEvent(r.getUUID("id"), r.getLong("seq"), r.getLong("feed_id"), r.getString("op"),
        r.getString("p_table"), r.getString("p_data"), r.getOffsetDateTime("created_at").toInstant(),
        r.getInteger("attempts"), r.getInteger("throttled"), r.getString("prev"),
        due == null ? null : due.toInstant(), r.getLong("claim"));
  }
}
