package dev.whiskfeed.deliver;

import dev.whiskfeed.store.ClaimedEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The body of a fire (API.md "Firing a trigger"): Hasura's event-trigger envelope for changes,
 * webhooks and manual events, {@code {"events": [...]}} for a batch, and an alarm's
 * {@code trigger_payload} as is.
 */
public final class Envelope {
  private static final Buffer EMPTY_OBJECT = Buffer.buffer("{}");

  private Envelope() {}

  /**
   * The body of one event. The payload's {@code table} and {@code data} go in as the store printed
   * them (JSON text) without the blanks Postgres puts after colons and commas; the envelope around
   * them is written here, straight into the body's bytes (a JSON generator and a compacted copy of
   * each payload were 28 % of the event loops' samples in a JFR profile at batchSize 100).
   */
  public static Buffer of(ClaimedEvent e, Target t) {
    if ("alarm".equals(t.kind())) return e.data() == null ? EMPTY_OBJECT.copy() : Buffer.buffer(compact(e.data()));
    Bytes out = new Bytes(256 + (e.table() == null ? 0 : e.table().length()) + (e.data() == null ? 0 : e.data().length()));
    out.ascii("{\"id\":\"").ascii(e.id().toString()).ascii("\",\"created_at\":\"").ascii(e.createdAt().toString())
        .ascii("\",\"trigger\":{\"name\":").string(t.name()).ascii("}");
    if (e.table() != null) out.ascii(",\"table\":").compacted(e.table());
    out.ascii(",\"event\":{\"op\":").string(e.op()).ascii(",\"data\":");
    if (e.data() == null) out.ascii("null"); else out.compacted(e.data());
    // Hasura's event carries the GraphQL session and trace that caused the change; a whiskfeed
    // event has neither, and says so with nulls (a handler for Hasura reads both keys as "object or null")
    out.ascii(",\"session_variables\":null,\"trace_context\":null},\"delivery_info\":{\"max_retries\":")
        .ascii(Integer.toString(t.maxRetries())).ascii(",\"current_retry\":").ascii(Integer.toString(e.attempts()))
        .ascii("}}");
    return out.buffer();
  }

  /**
   * JSON text as Postgres prints {@code jsonb} ({@code {"a": 1, "b": [2, 3]}}) without the blanks it
   * puts after colons and commas, as the rest of the body is written: one pass, nothing parsed.
   */
  static String compact(String json) {
    if (json.indexOf(' ') < 0) return json;
    StringBuilder out = new StringBuilder(json.length());
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\') out.append(json.charAt(++i));
        else if (c == '"') inString = false;
      } else if (c != ' ') {
        out.append(c);
        if (c == '"') inString = true;
      }
    }
    return out.toString();
  }

  /** A body's UTF-8 bytes, written once into an array that grows as needed. */
  private static final class Bytes {
    private byte[] b;
    private int n;

    Bytes(int capacity) {
      b = new byte[capacity];
    }

    /** Text known to be ASCII and to need no escaping (the envelope's own keys, ids, times, numbers). */
    Bytes ascii(String s) {
      room(s.length());
      for (int i = 0; i < s.length(); i++) b[n++] = (byte) s.charAt(i);
      return this;
    }

    /** A JSON string: quoted, escaped as JSON requires, UTF-8. */
    Bytes string(String s) {
      room(s.length() + 2);
      b[n++] = '"';
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          room(2);
          b[n++] = '\\';
          b[n++] = (byte) c;
        } else if (c < 0x20) {
          ascii(String.format("\\u%04x", (int) c));
        } else {
          i = utf8(s, i);
        }
      }
      room(1);
      b[n++] = '"';
      return this;
    }

    /** JSON text as Postgres prints it, without the blanks outside its strings ({@link #compact}). */
    Bytes compacted(String json) {
      room(json.length());
      boolean inString = false;
      for (int i = 0; i < json.length(); i++) {
        char c = json.charAt(i);
        if (inString) {
          if (c == '\\') {
            room(2);
            b[n++] = '\\';
            i = utf8(json, i + 1);
            continue;
          }
          if (c == '"') inString = false;
        } else if (c == ' ') {
          continue;
        } else if (c == '"') {
          inString = true;
        }
        i = utf8(json, i);
      }
      return this;
    }

    /** Writes the character at {@code i} (with its low surrogate, if it starts a pair); the index of the last char read. */
    private int utf8(String s, int i) {
      char c = s.charAt(i);
      room(4);
      if (c < 0x80) {
        b[n++] = (byte) c;
      } else if (c < 0x800) {
        b[n++] = (byte) (0xC0 | c >> 6);
        b[n++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[n++] = (byte) (0xF0 | cp >> 18);
        b[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
        b[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
        b[n++] = (byte) (0x80 | cp & 0x3F);
      } else {
        // a lone surrogate cannot be UTF-8: written as the replacement character, as String.getBytes does
        if (Character.isSurrogate(c)) c = '\uFFFD';
        b[n++] = (byte) (0xE0 | c >> 12);
        b[n++] = (byte) (0x80 | c >> 6 & 0x3F);
        b[n++] = (byte) (0x80 | c & 0x3F);
      }
      return i;
    }

    private void room(int more) {
      if (n + more > b.length) b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + more));
    }

    Buffer buffer() {
      return Buffer.buffer(n == b.length ? b : java.util.Arrays.copyOf(b, n));
    }
  }

  public static Buffer body(List<Buffer> envelopes, boolean batch) {
    if (!batch) return envelopes.get(0);
    int size = 13 + envelopes.size();
    for (Buffer e : envelopes) size += e.length();
    Buffer out = Buffer.buffer(size).appendString("{\"events\":[");
    for (int i = 0; i < envelopes.size(); i++) {
      if (i > 0) out.appendString(",");
      out.appendBuffer(envelopes.get(i));
    }
    return out.appendString("]}");
  }

  /** Unused by the engine; handy for tests and listings. */
  public static JsonObject batch(List<JsonObject> envelopes) {
    return new JsonObject().put("events", new JsonArray(List.copyOf(envelopes)));
  }
}
