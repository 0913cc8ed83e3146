package dev.whiskfeed.actions;

/** The provider's HTTP answer, before interpretation. */
record ProviderAnswer(int status, String body) {
  boolean isSuccess() {
    return status >= 200 && status < 300;
  }
}
