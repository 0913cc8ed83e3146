package dev.whiskfeed.hooks;

import dev.whiskfeed.error.WhiskfeedException;
import dev.whiskfeed.feed.Feed;
import dev.whiskfeed.feed.FeedKind;
import dev.whiskfeed.feed.KindRules;
import dev.whiskfeed.feed.Params;
import dev.whiskfeed.store.HookRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The {@code webhook} kind: {@code secret} (sealed, never shown: READ says {@code "secret": "set"}),
 * {@code maxBodyBytes}, {@code rateLimitPerSec}; on UPDATE only, {@code rotateHook: true}. CREATE
 * always issues a fresh token (a re-created feed does not inherit the old URL); UPDATE keeps it
 * unless asked to rotate. {@code "secret": null} on UPDATE removes the secret.
 */
public final class WebhookRules implements KindRules {
  static final String SECRET = "secret";
  static final String ROTATE = "rotateHook";
  static final int MAX_SECRET_CHARS = 1024;

  private final SecureRandom random;
  private final HookRepository hooks;

  public WebhookRules(SecureRandom random, HookRepository hooks) {
    this.random = random;
    this.hooks = hooks;
  }

  @Override
  public FeedKind kind() {
    return FeedKind.WEBHOOK;
  }

  @Override
  public Set<String> parameters() {
    return Set.of(SECRET, "maxBodyBytes", "rateLimitPerSec");
  }

  @Override
  public Set<String> updateOnlyParameters() {
    return Set.of(ROTATE);
  }

  @Override
  public Future<Validated> validate(ValidationInput input) {
    JsonObject config = WebhookConfig.parse(input.params()).toJson();
    JsonObject secrets = secrets(input);
    if (secrets.containsKey(SECRET)) config.put(SECRET, "set");
    return Future.succeededFuture(new Validated(config, secrets, token(input)));
  }

  /** The token leaves with the feed, before its pending events are discarded (see {@link HookRepository}). */
  @Override
  public Future<Void> uninstall(SqlConnection tx, Feed feed) {
    return hooks.retire(tx, feed.id());
  }

  private static JsonObject secrets(ValidationInput input) {
    JsonObject secrets = input.secrets().copy();
    // the stored config says "secret": "set"; only a secret the request itself sent counts
    if (!input.changed().contains(SECRET)) return secrets;
    Object value = input.params().getValue(SECRET);
    if (value == null) {
      secrets.remove(SECRET);
      return secrets;
    }
    String secret = Params.string(input.params(), SECRET);
    if (secret.isEmpty() || secret.length() > MAX_SECRET_CHARS) {
      throw WhiskfeedException.invalid("the secret parameter must be 1 to " + MAX_SECRET_CHARS
          + " characters (null on UPDATE removes it)");
    }
    return secrets.put(SECRET, secret);
  }

  private String token(ValidationInput input) {
    Feed previous = input.previous();
    boolean rotate = !input.create() && Params.bool(input.params(), ROTATE, false);
    if (input.create() || rotate || previous == null || previous.hookToken() == null) {
      return HookToken.generate(random);
    }
    return previous.hookToken();
  }
}
