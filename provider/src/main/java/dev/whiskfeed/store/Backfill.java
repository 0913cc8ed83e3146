package dev.whiskfeed.store;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * One backfill run of a changes feed as {@code whiskfeed.backfills} holds it.
 *
 * @param filter a SQL predicate over the row alias {@code r} (rendered from checked filters), or null
 * @param lastKey the primary key of the last row of the last finished chunk, as text; null before the first
 * @param rows BACKFILL events emitted so far (the rows of finished chunks)
 * @param total rows counted or estimated at start; null when unknown
 */
public record Backfill(long feedId, int run, State state, String filter, List<String> lastKey, long rows, Long total,
                       String error) {
  public enum State {
    RUNNING, DONE, FAILED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static State parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  public Backfill {
    lastKey = lastKey == null ? null : List.copyOf(lastKey);
  }

  /** READ's {@code status.backfill}: {@code {"state", "rows", "total"}}, and {@code error} when it failed. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("state", state.wireName()).put("rows", rows).put("total", total);
    if (error != null) json.put("error", error);
    return json;
  }
}
