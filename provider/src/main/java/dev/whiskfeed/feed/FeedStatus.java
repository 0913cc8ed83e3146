package dev.whiskfeed.feed;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import java.time.Instant;

/**
 * The feed state machine of ARCHITECTURE.md, in one place. Every transition returns the next
 * status; a transition that changes nothing returns {@code this} (so PAUSE and UNPAUSE are
 * idempotent and keep {@code dateChanged}).
 *
 * <pre>
 *   active --pause--> paused --unpause--> active
 *   active|paused --disable(reason)--> disabled --unpause|update--> active  (unless disabled by an admin)
 *   disabled --enable (admin)--> active
 * </pre>
 *
 * {@code captureStoppedAt}: when a disabled {@code changes} feed stopped capturing (its backlog, or
 * {@code WHISKFEED_DISABLED_CAPTURE_HOURS} disabled); null while it captures. Every step back to
 * active clears it, and the caller installs the feed's capture again.
 */
public record FeedStatus(FeedState state, Reason reason, Instant dateChanged, Instant captureStoppedAt) {
  static final String PAUSED_MESSAGE = "Paused by the owner";

  public FeedStatus {
    if (state == FeedState.ACTIVE && reason != null) throw new IllegalArgumentException("an active feed has no reason");
    if (state != FeedState.ACTIVE && reason == null) throw new IllegalArgumentException(state + " needs a reason");
    if (state != FeedState.DISABLED && captureStoppedAt != null) {
      throw new IllegalArgumentException("only a disabled feed stops capturing");
    }
  }

  public FeedStatus(FeedState state, Reason reason, Instant dateChanged) {
    this(state, reason, dateChanged, null);
  }

  public static FeedStatus active(Instant now) {
    return new FeedStatus(FeedState.ACTIVE, null, now);
  }

  public boolean isActive() {
    return state == FeedState.ACTIVE;
  }

  /** PAUSE: an active feed waits; paused and disabled feeds stay as they are. */
  public FeedStatus pause(Instant now) {
    return state == FeedState.ACTIVE ? new FeedStatus(FeedState.PAUSED, Reason.user(PAUSED_MESSAGE), now) : this;
  }

  /** UNPAUSE: a paused feed, or one disabled by a fire answer or an end condition, becomes active. */
  public FeedStatus unpause(FeedId id, Instant now) {
    if (state == FeedState.ACTIVE) return this;
    refuseIfAdminDisabled(id);
    return active(now);
  }

  /** UPDATE by the owner: re-enables a feed that was disabled automatically; a paused feed stays paused. */
  public FeedStatus update(FeedId id, Instant now) {
    refuseIfAdminDisabled(id);
    return state == FeedState.DISABLED ? active(now) : this;
  }

  /** The provider or an admin stops delivery. Disabling an already disabled feed keeps the first reason. */
  public FeedStatus disable(Reason why, Instant now) {
    if (state == FeedState.DISABLED && why.kind() != Reason.Kind.ADMIN) return this;
    return new FeedStatus(FeedState.DISABLED, why, now, captureStoppedAt);
  }

  /** A disabled feed's capture stopped at {@code at}. */
  public FeedStatus captureStopped(Instant at) {
    if (state != FeedState.DISABLED) throw new IllegalStateException("only a disabled feed stops capturing");
    return captureStoppedAt != null ? this : new FeedStatus(state, reason, dateChanged, at);
  }

  public boolean isCaptureStopped() {
    return captureStoppedAt != null;
  }

  /** An admin's enable: a disabled feed becomes active, whoever disabled it. */
  public FeedStatus enable(Instant now) {
    return state == FeedState.DISABLED ? active(now) : this;
  }

  private void refuseIfAdminDisabled(FeedId id) {
    if (state == FeedState.DISABLED && reason.kind() == Reason.Kind.ADMIN) {
      throw new WhiskfeedException(ErrorCode.DISABLED_BY_ADMIN, id, reason.message());
    }
  }
}
