package dev.whiskfeed.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Control migration 15: hook tokens stop being stored in clear. Each feed gets
 * {@code hook_token_hash} (hex SHA-256, unique: the lookup key, and the key column a hook request
 * locks) and {@code hook_token_sealed} (sealed with the master key, for READ's hook URL); the
 * existing tokens are moved there and the clear {@code hook_token} column is dropped, in Flyway's
 * transaction. Sealing needs the master key, so this step is Java: without a key it refuses a
 * database that holds tokens to move. Every hook URL stays what it was.
 */
final class SealHookTokens implements JavaMigration {
  private final SecretBox box;

  /** @param box the master key's box, or null where no feed can exist yet (a fresh database) */
  SealHookTokens(SecretBox box) {
    this.box = box;
  }

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("15");
  }

  @Override
  public String getDescription() {
    return "seal hook tokens";
  }

  @Override
  public Integer getChecksum() {
    return 15;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE whiskfeed.feeds ADD COLUMN hook_token_hash text UNIQUE, "
          + "ADD COLUMN hook_token_sealed text");
    }
    try (PreparedStatement select = c.prepareStatement(
             "SELECT id, hook_token FROM whiskfeed.feeds WHERE hook_token IS NOT NULL ORDER BY id");
         PreparedStatement update = c.prepareStatement(
             "UPDATE whiskfeed.feeds SET hook_token_hash = ?, hook_token_sealed = ? WHERE id = ?");
         ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        if (box == null) throw new IllegalStateException("moving hook tokens out of clear text needs the master key");
        String token = rows.getString(2);
        update.setString(1, HookTokenHash.of(token));
        update.setString(2, box.seal(token));
        update.setLong(3, rows.getLong(1));
        update.addBatch();
      }
      update.executeBatch();
    }
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE whiskfeed.feeds DROP COLUMN hook_token");
    }
  }
}
