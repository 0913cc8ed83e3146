package dev.whiskfeed.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A hook sender for tests: well-behaved requests through the JDK client, raw HTTP/1.1 for what it will not send. */
final class HookClient {
  private final int port;
  private final HttpClient http;

  /** A sender speaking HTTP/1.1, as webhook senders do. */
  HookClient(int port) {
    this(port, HttpClient.Version.HTTP_1_1);
  }

  /** With {@code HTTP_2}, the JDK client upgrades its cleartext connection (h2c) and then multiplexes on it. */
  HookClient(int port, HttpClient.Version version) {
    this.port = port;
    this.http = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The path of a hook URL ({@code /hooks/{token}}), whatever public base it was given. */
  static String path(String hookUrl) {
    return URI.create(hookUrl).getRawPath();
  }

  static String token(String hookUrl) {
    String p = path(hookUrl);
    return p.substring(p.lastIndexOf('/') + 1);
  }

  Api.Response post(String pathAndQuery, byte[] body, Map<String, String> headers) {
    return send(request(pathAndQuery, body, headers));
  }

  Api.Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Api.Response(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Api.Response method(String method, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  /** The protocol the last answers came over: a GET of /ping. */
  HttpClient.Version version() {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping")).build(),
          HttpResponse.BodyHandlers.discarding()).version();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Api.Response post(String pathAndQuery, String body, Map<String, String> headers) {
    return post(pathAndQuery, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  HttpRequest request(String pathAndQuery, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return b.build();
  }

  static Map<String, String> headers(String... nameValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) out.put(nameValues[i], nameValues[i + 1]);
    return out;
  }

  /**
   * Writes {@code head} (request line and headers, without the blank line) and then {@code body},
   * and returns the status line of the first final answer (a {@code 100 Continue} is skipped and
   * reported in the result). Gives up after 10 s.
   */
  RawAnswer raw(String head, byte[] body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      if (body != null) out.write(body);
      out.flush();
      return RawAnswer.read(socket.getInputStream());
    }
  }

  /** Sends a chunked body of {@code chunks} 1 KiB chunks and never the last chunk; the answer must come anyway. */
  RawAnswer chunkedWithoutEnd(String path, int chunks) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1024];
      for (int i = 0; i < chunks; i++) {
        out.write("400\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      return RawAnswer.read(socket.getInputStream());
    }
  }

  record RawAnswer(boolean sawContinue, String statusLine, String head) {
    static RawAnswer read(InputStream in) throws IOException {
      boolean sawContinue = false;
      while (true) {
        String head = readHead(in);
        String status = head.lines().findFirst().orElse("");
        if (status.contains(" 100 ")) {
          sawContinue = true;
          continue;
        }
        return new RawAnswer(sawContinue, status, head);
      }
    }

    int status() {
      return Integer.parseInt(statusLine.split(" ")[1]);
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int c = in.read();
        if (c < 0) throw new IOException("connection closed after: " + head);
        head.write(c);
        matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
      }
      return head.toString(StandardCharsets.US_ASCII);
    }
  }
}
