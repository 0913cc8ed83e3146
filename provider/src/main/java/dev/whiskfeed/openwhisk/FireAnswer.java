package dev.whiskfeed.openwhisk;

/**
 * What OpenWhisk answered to a fire, for the delivery's classifier: the status, the
 * {@code Retry-After} and {@code x-openwhisk-activation-id} headers and the body, each null when absent.
 */
public record FireAnswer(int status, String retryAfter, String activationId, String body) {}
