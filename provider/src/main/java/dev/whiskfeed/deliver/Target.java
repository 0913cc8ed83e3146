package dev.whiskfeed.deliver;

/**
 * What the delivery engine needs of a feed: the trigger, its opened authKey, whether it may be fired
 * now, the store holding its events, and its delivery settings.
 */
public record Target(long id, String namespace, String trigger, String kind, String authKey, String state,
                     String store, int maxTriggers, int maxRetries, int retryIntervalSec, int timeoutSec,
                     int batchSize, int batchMaxBytes, boolean ordered) {

  public boolean deliverable() {
    return "active".equals(state);
  }

  public boolean limited() {
    return maxTriggers > 0;
  }

  public String name() {
    return "/" + namespace + "/" + trigger;
  }

  public RetryPolicy retryPolicy() {
    return RetryPolicy.of(retryIntervalSec, maxRetries);
  }

  public Target withState(String next) {
    return new Target(id, namespace, trigger, kind, authKey, next, store, maxTriggers, maxRetries, retryIntervalSec,
        timeoutSec, batchSize, batchMaxBytes, ordered);
  }

  @Override
  public String toString() {
    return "Target[" + name() + ", id=" + id + ", state=" + state + ", store=" + store + "]";
  }
}
