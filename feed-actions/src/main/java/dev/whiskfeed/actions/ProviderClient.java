package dev.whiskfeed.actions;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Sends one lifecycle call to the provider's REST API. */
final class ProviderClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final Duration requestTimeout;

  ProviderClient(HttpClient http, Duration requestTimeout) {
    this.http = http;
    this.requestTimeout = requestTimeout;
  }

  static HttpClient newHttpClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  ProviderAnswer send(FeedRequest request, String jsonBody) throws FeedActionException {
    try {
      var response = http.send(toHttpRequest(request, jsonBody),
          BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new ProviderAnswer(response.statusCode(), response.body());
    } catch (HttpConnectTimeoutException e) {
      throw unreachable(request, "connection timed out after "
          + http.connectTimeout().map(Duration::toSeconds).orElse(0L) + " s");
    } catch (HttpTimeoutException e) {
      throw new FeedActionException("the whiskfeed provider at providerUrl "
          + request.providerUrl() + " did not answer within " + describe(requestTimeout)
          + " (the " + request.event() + " may still take effect)");
    } catch (IOException e) {
      throw unreachable(request, describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FeedActionException("interrupted while calling the whiskfeed provider at"
          + " providerUrl " + request.providerUrl());
    }
  }

  private HttpRequest toHttpRequest(FeedRequest request, String jsonBody) {
    String credentials = Base64.getEncoder()
        .encodeToString(request.authKey().getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.feedUri())
        .timeout(requestTimeout)
        .header("Authorization", "Basic " + credentials)
        .header("Accept", "application/json");
    if (jsonBody == null) {
      builder.method(request.event().httpMethod(), BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", "application/json")
          .method(request.event().httpMethod(),
              BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  private static FeedActionException unreachable(FeedRequest request, String reason) {
    return new FeedActionException("could not reach the whiskfeed provider at providerUrl "
        + request.providerUrl() + ": " + reason);
  }

  /** The JDK reports a refused connection as a ConnectException without a message. */
  private static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
    }
    String message = deepestMessage(e);
    if (message == null) {
      return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }
    return message.isEmpty() ? message
        : Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }

  private static String deepestMessage(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message;
  }

  private static String describe(Duration timeout) {
    return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
  }
}
