package dev.whiskfeed.store;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.ops.Progress;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every stored secret (authKeys, hook secrets, database URLs, sealed hook tokens) from the previous master key
 * to the current one. Runs once at start-up, before serving, when {@code WHISKFEED_MASTER_KEY_PREVIOUS}
 * is set; blocking JDBC like the migrations, in one transaction that locks the feed rows, so two
 * instances starting at once reseal each row once. Values already under the current key are left
 * as they are; a value that opens under neither key is left too and counted.
 */
public final class MasterKeyRotation {
  private static final Logger LOG = LoggerFactory.getLogger(MasterKeyRotation.class);
  /** What a run did: feeds whose values were resealed, and feeds with a value no configured key opens. */
  public record Result(int resealed, int unreadable) {}

  private MasterKeyRotation() {}

  public static Result reseal(DbUrl db, SecretBox box) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      c.setAutoCommit(false);
      int resealed = 0;
      int unreadable = 0;
      try (PreparedStatement select = c.prepareStatement(
               "SELECT id, auth_key, secrets::text, hook_token_sealed FROM whiskfeed.feeds ORDER BY id FOR UPDATE");
           PreparedStatement update = c.prepareStatement(
               "UPDATE whiskfeed.feeds SET auth_key = ?, secrets = ?::jsonb, hook_token_sealed = ? WHERE id = ?");
           ResultSet rows = select.executeQuery()) {
        Progress progress = Progress.of(LOG, "master_key.rotation.progress", -1);
        while (rows.next()) {
          progress.step();
          try {
            String authKey = rows.getString(2);
            String movedKey = box.underCurrentKey(authKey);
            boolean stale = !movedKey.equals(authKey);
            JsonObject secrets = new JsonObject(rows.getString(3));
            JsonObject moved = new JsonObject();
            for (String name : secrets.fieldNames()) {
              String sealed = secrets.getString(name);
              String now = box.underCurrentKey(sealed);
              stale |= !now.equals(sealed);
              moved.put(name, now);
            }
            String token = rows.getString(4);
            String movedToken = token == null ? null : box.underCurrentKey(token);
            stale |= token != null && !movedToken.equals(token);
            if (!stale) continue;
            update.setString(1, movedKey);
            update.setString(2, moved.encode());
            update.setString(3, movedToken);
            update.setLong(4, rows.getLong(1));
            update.addBatch();
            resealed++;
          } catch (IllegalStateException e) {
            unreadable++;
          }
        }
        update.executeBatch();
      }
      c.commit();
      return new Result(resealed, unreadable);
    }
  }
}
