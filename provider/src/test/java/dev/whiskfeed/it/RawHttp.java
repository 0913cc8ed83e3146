package dev.whiskfeed.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 as a hostile client writes it: the request line, headers and body exactly as given (no
 * normalising of paths, no checks of header sizes or encodings), one request per connection.
 */
final class RawHttp {
  private final int port;

  RawHttp(int port) {
    this.port = port;
  }

  /** Sends {@code method target} with {@code headers} (CRLF-joined lines) and {@code body}; reads the answer. */
  Api.Response send(String method, String target, String headers, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\nConnection: close\r\n");
    if (headers != null && !headers.isEmpty()) head.append(headers).append("\r\n");
    if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
    head.append("\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) out.write(body);
        out.flush();
      } catch (SocketException e) {
        // the server may answer and close before all of a refused request was written: read what it said
      }
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + abbreviate(target) + ": " + e.getMessage(), e);
    }
  }

  private static Api.Response read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) all.write(buf, 0, n);
    } catch (SocketException e) {
      // a reset after the answer: keep what arrived
    }
    String text = all.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) throw new IOException("no HTTP answer, got: " + abbreviate(text));
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    String body = text.substring(end + 4);
    for (String line : lines) {
      if (line.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:") && line.toLowerCase(Locale.ROOT)
          .contains("chunked")) {
        body = dechunk(body);
      }
    }
    return new Api.Response(status, body, null);
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < chunked.length()) {
      int nl = chunked.indexOf("\r\n", i);
      if (nl < 0) break;
      int size = Integer.parseInt(chunked.substring(i, nl).trim(), 16);
      if (size == 0) break;
      out.append(chunked, nl + 2, nl + 2 + size);
      i = nl + 2 + size + 2;
    }
    return out.toString();
  }

  static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…(" + s.length() + " chars)" : s;
  }
}
