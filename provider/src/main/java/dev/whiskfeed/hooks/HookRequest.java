package dev.whiskfeed.hooks;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A hook request as received: method, decoded query, headers and the raw body, read within the hook's limit. */
public record HookRequest(String method, MultiMap query, MultiMap headers, Buffer body) {

  /**
   * The event's {@code data}: {@code method}, {@code query} (a repeated name gives an array),
   * {@code headers} (see {@link HookHeaders}), {@code body}, {@code bodyEncoding} and, when the
   * sender declared one, {@code contentType}.
   */
  public JsonObject data() {
    String contentType = headers.get("Content-Type");
    HookBody body = HookBody.of(this.body, contentType);
    JsonObject data = new JsonObject()
        .put("method", method)
        .put("query", queryJson())
        .put("headers", HookHeaders.kept(headers))
        .put("body", body.value())
        .put("bodyEncoding", body.encoding().wireName());
    if (contentType != null) data.put("contentType", contentType);
    return data;
  }

  public String signature() {
    return headers.get(HookSignature.HEADER);
  }

  private JsonObject queryJson() {
    JsonObject out = new JsonObject();
    for (String name : query.names()) {
      List<String> values = query.getAll(name);
      out.put(name, values.size() == 1 ? values.get(0) : new JsonArray(List.copyOf(values)));
    }
    return out;
  }
}
