package dev.syncwire.broker;

import dev.syncwire.protocol.ChannelNames;
import dev.syncwire.protocol.ClientJson;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * The publish body of backends, read in one place: {@code {"key"?,"data"|"patch"}}, as the admin API's
 * {@code POST /api/v1/publish} takes it (with its {@code tenant} and {@code channel}) and as the Redis bridge
 * takes it from Redis (docs/redis.md). Every refusal is a {@link ProtocolException} {@code bad_request} whose
 * message says what is wrong.
 */
public final class PublishBody {
  /** The refusal of a body that is JSON but not an object. */
  public static final String NOT_AN_OBJECT = "body must be a JSON object";

  private PublishBody() {
  }

  /** Reads a body from UTF-8 bytes, strictly (docs/protocol.md §3.7); it must be a JSON object. */
  public static JsonObject parse(byte[] utf8) {
    Object value;
    try {
      value = ClientJson.parse(utf8);
    } catch (ClientJson.Refused e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST,
          e.partial() == null ? "the body is not valid JSON" : e.getMessage());
    }
    if (!(value instanceof JsonObject)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, NOT_AN_OBJECT);
    }
    return (JsonObject) value;
  }

  /** {@code value} as a channel name: a string of 1-128 characters of {@code A-Z a-z 0-9 _ - . : @}. */
  public static String channel(Object value) {
    return ChannelNames.require(value instanceof String ? (String) value : null);
  }

  /**
   * The publish a body asks for: its optional {@code key} (1-128 characters) and exactly one of {@code data}
   * (any JSON value) or {@code patch} (an object; what it may hold is checked where it is applied). Other
   * fields are not looked at.
   */
  public static ChannelBroker.PublishRequest request(JsonObject body) {
    Object key = body.getValue("key");
    if (key != null && (!(key instanceof String) || ((String) key).isEmpty()
        || ((String) key).length() > JsonCodec.MAX_KEY_LENGTH)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "key must be 1-" + JsonCodec.MAX_KEY_LENGTH + " characters");
    }
    if (body.containsKey("data") == body.containsKey("patch")) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "a publish carries exactly one of \"data\" or \"patch\"");
    }
    if (body.containsKey("patch") && !(body.getValue("patch") instanceof JsonObject)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"patch\" must be an object");
    }
    return body.containsKey("data")
        ? new ChannelBroker.PublishRequest((String) key, Json.encode(body.getValue("data")), null)
        : new ChannelBroker.PublishRequest((String) key, null, body.getJsonObject("patch").encode());
  }
}
