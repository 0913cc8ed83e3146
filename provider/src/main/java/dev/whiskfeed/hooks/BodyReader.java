package dev.whiskfeed.hooks;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a paused request's body, counting while it streams: past {@code limit} bytes it fails with
 * 413 at once and pauses the request, so an oversized body is never held in memory. Sends
 * {@code 100 Continue} first when the client waits for it.
 */
final class BodyReader {
  private BodyReader() {}

  static Future<Buffer> read(HttpServerRequest request, int limit) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer((int) Math.min(Math.max(contentLength(request), 256), limit));
    request.handler(chunk -> {
      if (done.future().isComplete()) return;
      if ((long) body.length() + chunk.length() > limit) {
        request.pause();
        done.tryFail(new WhiskfeedException(ErrorCode.PAYLOAD_TOO_LARGE, limit));
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.endHandler(v -> done.tryComplete(body));
    request.exceptionHandler(e -> done.tryFail(new WhiskfeedException(ErrorCode.BAD_REQUEST,
        "the request body could not be read")));
    if (expectsContinue(request)) request.response().writeContinue();
    request.resume();
    return done.future();
  }

  /** The declared Content-Length, -1 when there is none; 400 when it is not a number. */
  static long contentLength(HttpServerRequest request) {
    String raw = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (raw == null) return -1;
    try {
      long n = Long.parseLong(raw.strip());
      if (n >= 0) return n;
    } catch (NumberFormatException e) {
      // falls through to the 400
    }
    throw new WhiskfeedException(ErrorCode.BAD_REQUEST, "Content-Length is not a number of bytes");
  }

  static boolean expectsContinue(HttpServerRequest request) {
    String expect = request.getHeader(HttpHeaders.EXPECT);
    return expect != null && expect.equalsIgnoreCase("100-continue");
  }
}
