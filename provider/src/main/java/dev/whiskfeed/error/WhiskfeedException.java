package dev.whiskfeed.error;

/**
 * The one exception type for expected failures. The REST layer turns it into
 * {@code {"error": message, "code": code}} with the code's HTTP status; anything else is a bug.
 */
public final class WhiskfeedException extends RuntimeException {
  private final ErrorCode code;
  private final int status;

  public WhiskfeedException(ErrorCode code, Object... args) {
    this(code, code.status(), code.format(args));
  }

  private WhiskfeedException(ErrorCode code, int status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  /** For answers whose status is decided at run time (an OpenWhisk status passed through). */
  public static WhiskfeedException withStatus(ErrorCode code, int status, Object... args) {
    return new WhiskfeedException(code, status, code.format(args));
  }

  public ErrorCode code() {
    return code;
  }

  public int status() {
    return status;
  }

  public static WhiskfeedException invalid(String message) {
    return new WhiskfeedException(ErrorCode.INVALID_PARAMETER, message);
  }
}
