package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL over {@code whiskfeed.feeds}. Every write notifies {@link #CHANNEL} so all instances reload. */
public final class FeedRepository {
  /** NOTIFY channel carrying the id of a changed feed. */
  public static final String CHANNEL = "whiskfeed_feeds";

  private static final String FIND = "SELECT " + FeedRow.COLUMNS + " FROM whiskfeed.feeds WHERE namespace = $1 AND trigger = $2";
  private static final String FIND_BY_ID = "SELECT " + FeedRow.COLUMNS + " FROM whiskfeed.feeds WHERE id = $1";
  private static final String FIND_BY_TOKEN = "SELECT " + FeedRow.COLUMNS + " FROM whiskfeed.feeds WHERE hook_token_hash = $1";
  private static final String ALL = "SELECT " + FeedRow.COLUMNS + " FROM whiskfeed.feeds";
  private static final String VERSIONS = "SELECT id, version FROM whiskfeed.feeds";
  private static final String BY_IDS = "SELECT " + FeedRow.COLUMNS + " FROM whiskfeed.feeds WHERE id = ANY($1)";
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))";
  private static final String UPSERT = """
      INSERT INTO whiskfeed.feeds (namespace, trigger, kind, config, secrets, auth_key, state, reason, date_changed, hook_token_hash,
        hook_token_sealed, capture_stopped_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      ON CONFLICT (namespace, trigger) DO UPDATE SET
        kind = EXCLUDED.kind, config = EXCLUDED.config, secrets = EXCLUDED.secrets, auth_key = EXCLUDED.auth_key,
        state = EXCLUDED.state, reason = EXCLUDED.reason, date_changed = EXCLUDED.date_changed,
        capture_stopped_at = EXCLUDED.capture_stopped_at, hook_token_hash = EXCLUDED.hook_token_hash, hook_token_sealed = EXCLUDED.hook_token_sealed, version = whiskfeed.feeds.version + 1
      RETURNING\s""" + FeedRow.COLUMNS;
  private static final String UPDATE = """
      UPDATE whiskfeed.feeds SET config = $2, secrets = $3, auth_key = $4, state = $5, reason = $6, date_changed = $7,
        hook_token_hash = $8, hook_token_sealed = $9, capture_stopped_at = $10, version = version + 1
      WHERE id = $1 RETURNING\s""" + FeedRow.COLUMNS;
  private static final String SET_STATUS = """
      UPDATE whiskfeed.feeds SET state = $2, reason = $3, date_changed = $4, capture_stopped_at = $5, version = version + 1
      WHERE id = $1 RETURNING\s""" + FeedRow.COLUMNS;
  private static final String DELETE = "DELETE FROM whiskfeed.feeds WHERE id = $1";
  private static final String COUNT_FIRES = """
      UPDATE whiskfeed.feeds f SET fires = f.fires + u.n, last_fire_at = now()
      FROM unnest($1::bigint[], $2::int[]) AS u(id, n) WHERE f.id = u.id AND """ + Database.ASYNC_COMMIT;
  private static final String RESERVE_FIRE = """
      UPDATE whiskfeed.feeds SET fires = fires + 1, last_fire_at = now()
      WHERE id = $1 AND state = 'active' AND fires < (config->>'maxTriggers')::bigint
      RETURNING fires, (config->>'maxTriggers')::bigint AS max_triggers""";
  private static final String UNRESERVE_FIRE = "UPDATE whiskfeed.feeds SET fires = fires - 1 WHERE id = $1 AND fires > 0";
  private static final String DISABLE = """
      UPDATE whiskfeed.feeds SET state = 'disabled', reason = $2, date_changed = now(), version = version + 1
      WHERE id = $1 AND state <> 'disabled' RETURNING id""";
  private static final String STOP_CAPTURE = """
      UPDATE whiskfeed.feeds SET capture_stopped_at = $2, version = version + 1
      WHERE id = $1 AND state = 'disabled' AND capture_stopped_at IS NULL RETURNING id""";
  private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', $1)";
  private static final String COUNT_IN_NAMESPACE = "SELECT count(*) AS n FROM whiskfeed.feeds WHERE namespace = $1";

  /** Serializes every lifecycle call on one trigger across instances, until the transaction ends. */
  public Future<Void> lock(SqlClient tx, String namespace, String trigger) {
    return tx.preparedQuery(LOCK).execute(Tuple.of("/" + namespace + "/" + trigger)).mapEmpty();
  }

  /**
   * Serializes the creation of new feeds in one namespace, so two concurrent CREATEs of different
   * triggers cannot both take the last place under a quota.
   */
  public Future<Void> lockNamespace(SqlClient tx, String namespace) {
    return tx.preparedQuery(LOCK).execute(Tuple.of("namespace:" + namespace)).mapEmpty();
  }

  /** The feeds of a namespace, of every kind and state. */
  public Future<Long> countInNamespace(SqlClient c, String namespace) {
    return c.preparedQuery(COUNT_IN_NAMESPACE).execute(Tuple.of(namespace)).map(rows -> rows.iterator().next().getLong("n"));
  }

  public Future<Optional<FeedRow>> find(SqlClient c, String namespace, String trigger) {
    return c.preparedQuery(FIND).execute(Tuple.of(namespace, trigger)).map(FeedRepository::first);
  }

  public Future<Optional<FeedRow>> findById(SqlClient c, long id) {
    return c.preparedQuery(FIND_BY_ID).execute(Tuple.of(id)).map(FeedRepository::first);
  }

  public Future<Optional<FeedRow>> findByHookToken(SqlClient c, String token) {
    return c.preparedQuery(FIND_BY_TOKEN).execute(Tuple.of(HookTokenHash.of(token))).map(FeedRepository::first);
  }

  public Future<List<FeedRow>> all(SqlClient c) {
    return c.query(ALL).execute().map(FeedRepository::list);
  }

  /** Every feed's id and version: what changed since a previous read. */
  public Future<java.util.Map<Long, Long>> versions(SqlClient c) {
    return c.query(VERSIONS).execute().map(rows -> {
      java.util.Map<Long, Long> out = new java.util.HashMap<>(rows.size() * 2);
      rows.forEach(r -> out.put(r.getLong("id"), r.getLong("version")));
      return out;
    });
  }

  public Future<List<FeedRow>> findByIds(SqlClient c, Long[] ids) {
    return c.preparedQuery(BY_IDS).execute(Tuple.of(ids)).map(FeedRepository::list);
  }

  /** Inserts, or replaces in place the feed of that trigger (its id, and so its events, are kept). */
  public Future<FeedRow> upsert(SqlClient tx, FeedRow f) {
    return tx.preparedQuery(UPSERT).execute(Tuple.from(new Object[] {f.namespace(), f.trigger(), f.kind(), f.config(),
            f.secrets(), f.authKey(), f.state(), f.reason(), time(f.dateChanged()), f.hookTokenHash(), f.hookTokenSealed(),
            time(f.captureStoppedAt())}))
        .map(rows -> FeedRow.of(rows.iterator().next()))
        .compose(row -> notifyChanged(tx, row.id()).map(row));
  }

  public Future<FeedRow> update(SqlClient tx, FeedRow f) {
    return tx.preparedQuery(UPDATE).execute(Tuple.from(new Object[] {f.id(), f.config(), f.secrets(), f.authKey(),
            f.state(), f.reason(), time(f.dateChanged()), f.hookTokenHash(), f.hookTokenSealed(),
            time(f.captureStoppedAt())}))
        .map(rows -> FeedRow.of(rows.iterator().next()))
        .compose(row -> notifyChanged(tx, row.id()).map(row));
  }

  public Future<Optional<FeedRow>> setStatus(SqlClient c, long id, String state, JsonObject reason, Instant at,
                                            Instant captureStoppedAt) {
    return c.preparedQuery(SET_STATUS).execute(Tuple.of(id, state, reason, time(at), time(captureStoppedAt)))
        .map(FeedRepository::first)
        .compose(row -> notifyChanged(c, id).map(row));
  }

  public Future<Void> delete(SqlClient tx, long id) {
    return tx.preparedQuery(DELETE).execute(Tuple.of(id)).compose(r -> notifyChanged(tx, id));
  }

  /** Counts delivered fires of feeds without maxTriggers: {@code fires[i]} more for {@code ids[i]}. */
  public Future<Void> countFires(SqlClient c, Long[] ids, Integer[] fires) {
    return c.preparedQuery(COUNT_FIRES).execute(Tuple.from(new Object[] {ids, fires})).mapEmpty();
  }

  /**
   * Takes one of a limited feed's remaining fires before firing, so concurrent fires can never pass
   * maxTriggers. Returns the fires used including this one, or empty when none is left.
   */
  public Future<Optional<long[]>> reserveFire(SqlClient c, long id) {
    return c.preparedQuery(RESERVE_FIRE).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) return Optional.empty();
      Row r = it.next();
      return Optional.of(new long[] {r.getLong("fires"), r.getLong("max_triggers")});
    });
  }

  /** Gives back a reserved fire whose attempt did not deliver. */
  public Future<Void> unreserveFire(SqlClient c, long id) {
    return c.preparedQuery(UNRESERVE_FIRE).execute(Tuple.of(id)).mapEmpty();
  }

  /** Disables a feed that is not disabled yet; true when this call disabled it. */
  public Future<Boolean> disable(SqlClient c, long id, JsonObject reason) {
    return c.preparedQuery(DISABLE).execute(Tuple.of(id, reason))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false) : notifyChanged(c, id).map(true));
  }

  /** Marks a disabled feed's capture stopped (the caller removed it); true when this call marked it. */
  public Future<Boolean> stopCapture(SqlClient c, long id, Instant at) {
    return c.preparedQuery(STOP_CAPTURE).execute(Tuple.of(id, time(at)))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false) : notifyChanged(c, id).map(true));
  }

  public Future<Void> notifyChanged(SqlClient c, long id) {
    return c.preparedQuery(NOTIFY).execute(Tuple.of(Long.toString(id))).mapEmpty();
  }

  static OffsetDateTime time(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private static Optional<FeedRow> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(FeedRow.of(it.next())) : Optional.empty();
  }

  private static List<FeedRow> list(RowSet<Row> rows) {
    List<FeedRow> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(FeedRow.of(r)));
    return out;
  }
}
