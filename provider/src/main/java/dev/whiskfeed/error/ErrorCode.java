package dev.whiskfeed.error;

/**
 * Every expected failure a client can see: a stable code a program can match, the HTTP status
 * it maps to, and a message template for a person ({@link String#format} arguments).
 */
public enum ErrorCode {
  BAD_REQUEST(400, "%s"),
  INVALID_PARAMETER(400, "%s"),
  UNKNOWN_PARAMETER(400, "parameter '%s' is not supported by %s feeds"),
  NO_UPDATABLE_PARAMETERS(400, "no updatable parameters were specified"),
  MALFORMED_JSON(400, "request body is not valid JSON: %s"),
  NAMESPACE_UNRESOLVED(400, "namespace '_' must be resolved to the trigger's namespace"),
  DISABLED_BY_ADMIN(400, "feed %s was disabled by an admin and cannot be changed: %s"),
  UNAUTHORIZED(401, "%s"),
  TRIGGER_AUTH_FAILED(401, "Trigger authentication request failed."),
  FORBIDDEN(403, "%s"),
  SOURCE_FORBIDDEN(403, "%s"),
  DATABASE_PARAM_DISABLED(403, "%s"),
  QUOTA_EXCEEDED(403, "namespace %s has %d feeds, the most this provider allows (WHISKFEED_MAX_FEEDS_PER_NAMESPACE); DELETE one first"),
  FEED_NOT_FOUND(404, "could not find trigger %s in the database"),
  NOT_FOUND(404, "%s"),
  METHOD_NOT_ALLOWED(405, "method not allowed"),
  CONFLICT(409, "%s"),
  BACKFILL_RUNNING(409, "a backfill of trigger %s is running; wait until READ shows status.backfill.state done or failed"),
  EVENT_LEASED(409, "event %s is being delivered right now; try again later"),
  FEED_DISABLED(410, "%s"),
  PAYLOAD_TOO_LARGE(413, "request body is larger than %d bytes"),
  URI_TOO_LONG(414, "the request line (method, path and query string) is longer than %d bytes"),
  UNSUPPORTED_MEDIA_TYPE(415, "request body must be JSON (Content-Type: application/json)"),
  TOO_MANY_REQUESTS(429, "%s"),
  HEADERS_TOO_LARGE(431, "the request headers are larger than %d bytes"),
  DATABASE_UNAVAILABLE(503, "database unavailable, try again later"),
  CAPTURE_UNAVAILABLE(503, "%s"),
  OPENWHISK_UNAVAILABLE(503, "OpenWhisk could not be reached: %s");

  private final int status;
  private final String template;

  ErrorCode(int status, String template) {
    this.status = status;
    this.template = template;
  }

  public int status() {
    return status;
  }

  /** The stable, lower-case code sent to clients, e.g. {@code feed_not_found}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public String format(Object... args) {
    return args.length == 0 ? template : String.format(java.util.Locale.ROOT, template, args);
  }
}
