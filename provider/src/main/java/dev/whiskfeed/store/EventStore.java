package dev.whiskfeed.store;

import dev.whiskfeed.config.DbUrl;
import io.vertx.sqlclient.Pool;

/**
 * A database holding a {@code whiskfeed.events} table: the control database, a named source, or a
 * feed's own database. {@code name} is stable and never contains credentials. {@code claims}: the
 * connection the store's claims run on, with generic plans ({@link Database#claimPool}).
 */
public record EventStore(String name, DbUrl url, Pool pool, Pool claims) {
  public static final String CONTROL = "control";

  /** A store whose claims share its pool (tools and tests). */
  public EventStore(String name, DbUrl url, Pool pool) {
    this(name, url, pool, pool);
  }

  public boolean isControl() {
    return CONTROL.equals(name);
  }
}
