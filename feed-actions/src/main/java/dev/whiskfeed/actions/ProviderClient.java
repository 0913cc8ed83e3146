package dev.whiskfeed.actions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * Sends one lifecycle call to the provider's REST API over {@link HttpURLConnection} (the
 * OpenWhisk Java runtime is Java 8). Each call uses its own connection and closes it: a warm
 * container may sit paused for hours, long enough for a pooled connection to go stale.
 */
final class ProviderClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** How long the provider may stay silent once the request is sent. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final Duration connectTimeout;
  private final Duration requestTimeout;

  ProviderClient(Duration connectTimeout, Duration requestTimeout) {
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
  }

  ProviderAnswer send(FeedRequest request, String jsonBody) throws FeedActionException {
    HttpURLConnection connection;
    try {
      connection = open(request, jsonBody);
    } catch (IOException e) {
      throw unreachable(request, describe(e));
    }
    try {
      try {
        connection.connect();
      } catch (SocketTimeoutException e) {
        throw connectTimedOut(request);
      }
      if (jsonBody != null) {
        // Buffered, not streamed: in streaming mode a 401 would discard the provider's answer.
        try (OutputStream out = connection.getOutputStream()) {
          out.write(jsonBody.getBytes(StandardCharsets.UTF_8));
        }
      }
      int status = connection.getResponseCode();
      if (status < 0) {
        throw new IOException("the answer is not HTTP");
      }
      return new ProviderAnswer(status, readBody(connection, status));
    } catch (IOException e) {
      if (!isTimeout(e)) {
        throw unreachable(request, describe(e));
      }
      if (isConnectTimeout(e)) {
        throw connectTimedOut(request);
      }
      throw new FeedActionException("the whiskfeed provider at providerUrl "
          + request.providerUrl() + " did not answer within " + describe(requestTimeout)
          + " (the " + request.event() + " may still take effect)");
    } finally {
      connection.disconnect();
    }
  }

  private HttpURLConnection open(FeedRequest request, String jsonBody) throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection) request.feedUri().toURL().openConnection();
    connection.setConnectTimeout(millis(connectTimeout));
    connection.setReadTimeout(millis(requestTimeout));
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    connection.setRequestMethod(request.event().httpMethod());
    String credentials = Base64.getEncoder()
        .encodeToString(request.authKey().getBytes(StandardCharsets.UTF_8));
    connection.setRequestProperty("Authorization", "Basic " + credentials);
    connection.setRequestProperty("Accept", "application/json");
    if (jsonBody != null) {
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", "application/json");
    }
    return connection;
  }

  /** The body of a 2xx from the input stream, of any other answer from the error stream. */
  private static String readBody(HttpURLConnection connection, int status) throws IOException {
    InputStream in;
    if (status >= 200 && status < 300) {
      in = connection.getInputStream();
    } else {
      in = connection.getErrorStream();
      if (in == null && status < 400) {
        // The JDK keeps no error stream below 400 (a redirect it did not follow, say).
        in = connection.getInputStream();
      }
    }
    if (in == null) {
      return "";
    }
    try (InputStream body = in) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = body.read(buffer)) != -1; ) {
        bytes.write(buffer, 0, n);
      }
      return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }
  }

  private FeedActionException connectTimedOut(FeedRequest request) {
    return unreachable(request,
        "connection timed out after " + connectTimeout.getSeconds() + " s");
  }

  private static FeedActionException unreachable(FeedRequest request, String reason) {
    return new FeedActionException("could not reach the whiskfeed provider at providerUrl "
        + request.providerUrl() + ": " + reason);
  }

  private static boolean isTimeout(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** A connect timeout that surfaced after {@code connect()}, e.g. on a redone connection. */
  private static boolean isConnectTimeout(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException && t.getMessage() != null
          && t.getMessage().toLowerCase(Locale.ROOT).startsWith("connect timed out")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The JDK reports a refused connection as a ConnectException without a message (or, on some
   * Java 8 builds, as "Connection refused (Connection refused)").
   */
  private static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException) {
        return "unknown host";
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException && (t.getMessage() == null
          || t.getMessage().startsWith("Connection refused"))) {
        return "connection refused";
      }
    }
    String message = deepestMessage(e);
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    return message.isEmpty() ? message
        : Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }

  private static String deepestMessage(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !Text.isBlank(t.getMessage())) {
        message = t.getMessage();
      }
    }
    return message;
  }

  private static String describe(Duration timeout) {
    return timeout.toMillis() % 1000 == 0
        ? timeout.getSeconds() + " s" : timeout.toMillis() + " ms";
  }

  private static int millis(Duration timeout) {
    return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
  }
}
