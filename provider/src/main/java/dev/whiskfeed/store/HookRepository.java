package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * The hook side of {@code whiskfeed.feeds}. A hook request writes its event in a transaction that
 * holds a {@code FOR KEY SHARE} lock on its feed row, taken by token (by its hash: the token itself
 * is not stored, see {@link HookTokenHash}). {@code hook_token_hash} is a unique (so key) column: rotating the token or retiring it on DELETE conflicts with that lock, so a DELETE
 * waits for hook events in flight and then discards them, and a request with a rotated or retired
 * token finds no row. Status and fire-count updates do not touch key columns and never wait on hooks.
 */
public final class HookRepository {
  private static final String LOCK_FOR_INTAKE =
      "SELECT state FROM whiskfeed.feeds WHERE id = $1 AND hook_token_hash = $2 FOR KEY SHARE";
  private static final String RETIRE = "UPDATE whiskfeed.feeds SET hook_token_hash = NULL, hook_token_sealed = NULL WHERE id = $1";

  /** The feed's state, if the token still belongs to it; the row stays key-locked until the transaction ends. */
  public Future<Optional<String>> lockForIntake(SqlClient tx, long feedId, String token) {
    return tx.preparedQuery(LOCK_FOR_INTAKE).execute(Tuple.of(feedId, HookTokenHash.of(token))).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(it.next().getString("state")) : Optional.empty();
    });
  }

  /** Takes the token away (before pending events are discarded); waits for hook requests in flight. */
  public Future<Void> retire(SqlClient tx, long feedId) {
    return tx.preparedQuery(RETIRE).execute(Tuple.of(feedId)).mapEmpty();
  }
}
