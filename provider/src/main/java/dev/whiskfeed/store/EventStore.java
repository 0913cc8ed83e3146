package dev.whiskfeed.store;

import dev.whiskfeed.config.DbUrl;
import io.vertx.sqlclient.Pool;

/**
 * A database holding a {@code whiskfeed.events} table: the control database, a named source, or a
 * feed's own database. {@code name} is stable and never contains credentials.
 */
public record EventStore(String name, DbUrl url, Pool pool) {
  public static final String CONTROL = "control";

  public boolean isControl() {
    return CONTROL.equals(name);
  }
}
