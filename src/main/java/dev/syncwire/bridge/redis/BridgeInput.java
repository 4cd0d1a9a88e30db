package dev.syncwire.bridge.redis;

import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.PublishBody;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.protocol.ChannelNames;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.AsyncResult;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the bridge takes from Redis, read into a publish (or refused, with the reason): the tenant and
 * channel a message names, and its body, the admin API's publish body ({@link PublishBody}). Also says what
 * became of a publish, for the counters and for whether a stream entry may be acknowledged.
 */
final class BridgeInput {
  /** Every pub/sub channel and stream of the bridge starts with this. */
  static final String PREFIX = "updates:tenant:";
  /** Tenant ids the bridge takes: no ':' (the channel name follows the first one). */
  static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** The largest body taken, as for the admin API. */
  static final int MAX_BODY_BYTES = 1024 * 1024;
  /** Characters of a refused body shown in a log line. */
  private static final int EXCERPT_CHARS = 80;

  /** What became of one message. */
  enum Outcome {
    PUBLISHED("published"),
    DUPLICATE("duplicate"),
    INVALID("invalid"),
    FAILED("failed");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  /** A message that can never be published; {@code getMessage()} says why, in a few words. */
  static final class Invalid extends Exception {
    Invalid(String reason) {
      super(reason, null, false, false);
    }
  }

  /** A message read: where it goes and what it publishes. */
  record Message(ChannelId channel, ChannelBroker.PublishRequest request, int bytes) {
  }

  private final Set<String> tenants;

  /** {@code tenants}: the ids of the configured tenants; any other is refused. */
  BridgeInput(Set<String> tenants) {
    this.tenants = Set.copyOf(tenants);
  }

  /** The stream of a tenant: {@code updates:tenant:<tenant>}. */
  static String stream(String tenant) {
    return PREFIX + tenant;
  }

  /**
   * A pub/sub message published on {@code redisChannel}, {@code updates:tenant:<tenant>:<channel>}: the
   * tenant ends at the first ':', the channel name (which may hold ':') is the rest.
   */
  Message fromPubSub(String redisChannel, byte[] body) throws Invalid {
    if (!redisChannel.startsWith(PREFIX)) {
      throw new Invalid("not a channel of the form updates:tenant:<tenant>:<channel>");
    }
    String rest = redisChannel.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      throw new Invalid("no channel name after the tenant (updates:tenant:<tenant>:<channel>)");
    }
    return message(rest.substring(0, colon), rest.substring(colon + 1), body, null);
  }

  /**
   * A stream entry of {@code tenant}'s stream with the fields {@code channel} and {@code body};
   * {@code keyIfNone} is the publish key when the body names none.
   */
  Message fromStream(String tenant, String channel, byte[] body, String keyIfNone) throws Invalid {
    if (channel == null || body == null) {
      throw new Invalid("an entry needs the fields \"channel\" and \"body\"");
    }
    return message(tenant, channel, body, keyIfNone);
  }

  private Message message(String tenant, String channel, byte[] body, String keyIfNone) throws Invalid {
    if (!TENANT.matcher(tenant).matches() || !tenants.contains(tenant)) {
      throw new Invalid("unknown tenant " + shorten(tenant));
    }
    if (!ChannelNames.isValid(channel)) {
      throw new Invalid("invalid channel name " + shorten(channel) + " (1-" + ChannelNames.MAX_LENGTH
          + " characters of A-Z a-z 0-9 _ - . : @)");
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new Invalid("body of " + body.length + " bytes, more than " + MAX_BODY_BYTES);
    }
    ChannelBroker.PublishRequest request;
    try {
      request = PublishBody.request(PublishBody.parse(body));
    } catch (ProtocolException e) {
      throw new Invalid(e.getMessage());
    }
    if (request.key() == null && keyIfNone != null) {
      request = new ChannelBroker.PublishRequest(keyIfNone, request.dataJson(), request.patchJson());
    }
    return new Message(new ChannelId(tenant, channel), request, body.length + 64);
  }

  /** What a publish's completion means for the counters. */
  static Outcome outcome(AsyncResult<ChannelBroker.PublishAck> ar) {
    if (ar.succeeded()) {
      return ar.result().duplicate() ? Outcome.DUPLICATE : Outcome.PUBLISHED;
    }
    return refusedForGood(ar.cause()) ? Outcome.INVALID : Outcome.FAILED;
  }

  /**
   * Whether a publish failed in a way no retry changes: the channel refused it ({@code bad_request},
   * {@code too_large}, {@code conflict}, {@code not_found}). Anything else ({@code unavailable},
   * {@code overloaded}, Redis away, ...) may pass later.
   */
  static boolean refusedForGood(Throwable failure) {
    if (!(failure instanceof ProtocolException)) {
      return false;
    }
    ErrorCode code = ((ProtocolException) failure).code();
    return code == ErrorCode.BAD_REQUEST || code == ErrorCode.TOO_LARGE || code == ErrorCode.CONFLICT
        || code == ErrorCode.NOT_FOUND;
  }

  /** A failure in a few words: its code and message, never a stack trace. */
  static String describe(Throwable failure) {
    if (failure instanceof ProtocolException) {
      return ((ProtocolException) failure).code().wireName() + ": " + failure.getMessage();
    }
    return String.valueOf(failure.getMessage());
  }

  /** The start of a body for a log line, its size, and nothing that would break the line. */
  static String excerpt(byte[] body) {
    if (body == null) {
      return "no body";
    }
    String text = new String(body, 0, Math.min(body.length, EXCERPT_CHARS * 4), StandardCharsets.UTF_8);
    return body.length + " bytes: " + shorten(text);
  }

  /** {@code text} cut to a few dozen characters, control characters replaced, in quotes. */
  static String shorten(String text) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(text.length(), EXCERPT_CHARS);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return sb.append(text.length() > EXCERPT_CHARS ? "...\"" : "\"").toString();
  }
}
