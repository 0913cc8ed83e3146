package dev.whiskfeed.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.error.ErrorCode;
import dev.whiskfeed.error.WhiskfeedException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FeedStatusTest {
  private static final FeedId ID = new FeedId("guest", "t");
  private static final Instant T0 = Instant.parse("2026-11-22T06:00:00Z");
  private static final Instant T1 = T0.plusSeconds(60);
  private final FeedStatus active = FeedStatus.active(T0);

  @Test
  void pauseMakesAnActiveFeedWaitAndIsIdempotent() {
    FeedStatus paused = active.pause(T1);
    assertThat(paused.state()).isEqualTo(FeedState.PAUSED);
    assertThat(paused.reason().kind()).isEqualTo(Reason.Kind.USER);
    assertThat(paused.dateChanged()).isEqualTo(T1);
    assertThat(paused.pause(T1.plusSeconds(5))).isSameAs(paused);
  }

  @Test
  void unpauseReactivatesAndIsIdempotent() {
    FeedStatus back = active.pause(T1).unpause(ID, T1.plusSeconds(1));
    assertThat(back.isActive()).isTrue();
    assertThat(back.reason()).isNull();
    assertThat(back.unpause(ID, T1.plusSeconds(9))).isSameAs(back);
  }

  @Test
  void autoDisabledFeedIsReenabledByUpdateOrUnpause() {
    FeedStatus disabled = active.disable(Reason.auto(404, "Trigger automatically disabled: 404"), T1);
    assertThat(disabled.state()).isEqualTo(FeedState.DISABLED);
    assertThat(disabled.reason().statusCode()).isEqualTo(404);
    assertThat(disabled.update(ID, T1.plusSeconds(1)).isActive()).isTrue();
    assertThat(disabled.unpause(ID, T1.plusSeconds(1)).isActive()).isTrue();
  }

  @Test
  void updateKeepsAPausedFeedPaused() {
    FeedStatus paused = active.pause(T1);
    assertThat(paused.update(ID, T1.plusSeconds(1))).isSameAs(paused);
    assertThat(active.update(ID, T1)).isSameAs(active);
  }

  @Test
  void pausingADisabledFeedKeepsItDisabled() {
    FeedStatus disabled = active.disable(Reason.auto(401, "x"), T1);
    assertThat(disabled.pause(T1.plusSeconds(1))).isSameAs(disabled);
  }

  @Test
  void aSecondAutomaticDisableKeepsTheFirstReason() {
    FeedStatus first = active.disable(Reason.auto(404, "first"), T1);
    assertThat(first.disable(Reason.auto(403, "second"), T1.plusSeconds(1))).isSameAs(first);
  }

  @Test
  void adminDisableWinsAndBlocksTheOwner() {
    FeedStatus byAdmin = active.disable(Reason.auto(404, "x"), T1).disable(Reason.admin("abuse"), T1.plusSeconds(1));
    assertThat(byAdmin.reason().kind()).isEqualTo(Reason.Kind.ADMIN);
    assertThatThrownBy(() -> byAdmin.update(ID, T1.plusSeconds(2)))
        .isInstanceOfSatisfying(WhiskfeedException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.DISABLED_BY_ADMIN);
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains("was disabled by an admin").contains("abuse");
        });
    assertThatThrownBy(() -> byAdmin.unpause(ID, T1.plusSeconds(2))).isInstanceOf(WhiskfeedException.class);
    assertThat(byAdmin.enable(T1.plusSeconds(3)).isActive()).isTrue();
  }

  @Test
  void enableLeavesNonDisabledFeedsAlone() {
    FeedStatus paused = active.pause(T1);
    assertThat(paused.enable(T1.plusSeconds(1))).isSameAs(paused);
  }

  @Test
  void aStoppedCaptureOutlivesAnAdminsDisableAndEveryWayBackToActiveClearsIt() {
    FeedStatus stopped = active.disable(Reason.auto(404, "Trigger automatically disabled: 404"), T1)
        .captureStopped(T1.plusSeconds(5));
    assertThat(stopped.captureStoppedAt()).isEqualTo(T1.plusSeconds(5));
    assertThat(stopped.captureStopped(T1.plusSeconds(9))).isSameAs(stopped);
    FeedStatus byAdmin = stopped.disable(Reason.admin("stop"), T1.plusSeconds(10));
    assertThat(byAdmin.reason().kind()).isEqualTo(Reason.Kind.ADMIN);
    assertThat(byAdmin.captureStoppedAt()).isEqualTo(T1.plusSeconds(5));
    assertThat(byAdmin.enable(T1.plusSeconds(11)).captureStoppedAt()).isNull();
    assertThat(stopped.unpause(ID, T1.plusSeconds(11)).captureStoppedAt()).isNull();
    assertThat(stopped.update(ID, T1.plusSeconds(11)).captureStoppedAt()).isNull();
  }

  @Test
  void onlyADisabledFeedStopsCapturing() {
    assertThatThrownBy(() -> active.captureStopped(T1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new FeedStatus(FeedState.PAUSED, Reason.user("p"), T1, T1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
