package dev.whiskfeed.actions;

import java.util.Objects;

/** The provider's HTTP answer, before interpretation. */
final class ProviderAnswer {
  private final int status;
  private final String body;

  ProviderAnswer(int status, String body) {
    this.status = status;
    this.body = body;
  }

  int status() {
    return status;
  }

  String body() {
    return body;
  }

  boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof ProviderAnswer)) {
      return false;
    }
    ProviderAnswer that = (ProviderAnswer) other;
    return status == that.status && Objects.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return 31 * status + Objects.hashCode(body);
  }

  @Override
  public String toString() {
    return "ProviderAnswer[status=" + status + ", body=" + body + "]";
  }
}
