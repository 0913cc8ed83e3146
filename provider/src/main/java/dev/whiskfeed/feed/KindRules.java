package dev.whiskfeed.feed;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.Set;

/**
 * What one feed kind adds to the common lifecycle: its parameter names, its validation, and what it
 * installs when a feed is created or changed (capture triggers, hook tokens, alarm schedules) and
 * removes when the feed is deleted. The lifecycle calls these inside its control-database
 * transaction, which holds the trigger's lock.
 */
public interface KindRules {
  FeedKind kind();

  /** The kind's own parameters, accepted on CREATE and UPDATE. */
  Set<String> parameters();

  /** Parameters accepted on UPDATE only (e.g. {@code rotateHook}); not stored. */
  default Set<String> updateOnlyParameters() {
    return Set.of();
  }

  /**
   * Validates the kind's parameters. {@code params} holds the effective parameters: on CREATE the
   * request's, on UPDATE the stored ones merged with the request's ({@code changed} names those the
   * request set). {@code secrets} are the stored plain secrets merged likewise. {@code delivery} holds the
   * effective common parameters (e.g. alarms refuse {@code maxTriggers} beside {@code stopDate}).
   */
  Future<Validated> validate(ValidationInput input);

  /** Installs or replaces what the feed needs outside its row. {@code previous} is null on CREATE. */
  default Future<Void> install(SqlConnection tx, Feed feed, Feed previous) {
    return Future.succeededFuture();
  }

  /** Removes what {@link #install} made; after the last feed of a table, nothing is left behind. */
  default Future<Void> uninstall(SqlConnection tx, Feed feed) {
    return Future.succeededFuture();
  }

  /**
   * Starts a backfill of the feed (one event per existing row) in the lifecycle's control-database
   * transaction, with an optional {@code where} from the request: true when it started, false when
   * one is running already. Only {@code changes} feeds have one.
   */
  default Future<Boolean> startBackfill(SqlConnection controlTx, Feed feed, Object where) {
    throw dev.whiskfeed.error.WhiskfeedException.invalid("backfill applies to changes feeds only, not "
        + feed.kind().wireName() + " feeds");
  }

  /**
   * {@code control} is the lifecycle's own control-database transaction: checks that read the
   * control database use it, never a second pooled connection (concurrent lifecycle calls holding
   * every pooled connection would otherwise wait on each other). Null outside a transaction.
   */
  record ValidationInput(FeedId id, JsonObject params, Set<String> changed, JsonObject secrets, Feed previous,
                         boolean create, Instant now, DeliverySettings delivery, SqlClient control) {}

  /** The kind's effective config (defaults filled, no secrets), its secrets, and its hook token if any. */
  record Validated(JsonObject config, JsonObject secrets, String hookToken) {
    public Validated {
      secrets = secrets == null ? new JsonObject() : secrets;
    }
  }
}
