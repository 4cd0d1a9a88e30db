package dev.syncwire.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code syncwire.v1.json} codec: one JSON object per text frame, read by {@link ClientJson}. Decoding
 * is strict about the shape of commands and lenient about unknown fields (docs/protocol.md §3).
 */
public final class JsonCodec implements FrameCodec {
  public static final String SUBPROTOCOL = "syncwire.v1.json";
  public static final int MAX_KEY_LENGTH = 128;
  public static final JsonCodec INSTANCE = new JsonCodec();

  private JsonCodec() {
  }

  @Override
  public String subprotocol() {
    return SUBPROTOCOL;
  }

  @Override
  public boolean binary() {
    return false;
  }

  @Override
  public int slot() {
    return 0;
  }

  @Override
  public Command decode(byte[] message) {
    throw new MalformedFrameException("binary frames need the syncwire.v1.proto subprotocol");
  }

  @Override
  public Command decodeText(String message) {
    return decode(message);
  }

  @Override
  public byte[] encode(ServerFrame frame) {
    return encodeFrame(frame);
  }

  /**
   * Decodes one client command.
   *
   * @throws MalformedFrameException when the text is not a JSON object with an integer {@code id}
   * @throws ProtocolException when the command is recognisably a command but invalid
   */
  public static Command decode(String text) {
    Object parsed;
    try {
      parsed = ClientJson.parse(text);
    } catch (ClientJson.Refused e) {
      // JSON the server will not carry (a comment, an inexact number, a lone surrogate) is a bad command
      // when the command can still be named by its id; otherwise there is nobody to answer.
      Object id = e.partial() instanceof JsonObject ? ((JsonObject) e.partial()).getValue("id") : null;
      if (id instanceof Integer || id instanceof Long) {
        throw e.withCommandId(((Number) id).longValue());
      }
      throw new MalformedFrameException(e.partial() == null ? "frame is not valid JSON" : e.getMessage());
    }
    if (!(parsed instanceof JsonObject)) {
      throw new MalformedFrameException("a frame must be a JSON object");
    }
    return decode((JsonObject) parsed);
  }

  /** Decodes one command already parsed as a JSON object (the HTTP transports parse a batch at once). */
  public static Command decode(JsonObject json) {
    Object rawId = json.getValue("id");
    if (!(rawId instanceof Integer || rawId instanceof Long)) {
      throw new MalformedFrameException("every command needs an integer \"id\"");
    }
    long id = ((Number) rawId).longValue();
    try {
      String type = string(json, "type", true);
      switch (type) {
        case "connect":
          return new Command.Connect(id, string(json, "token", false), string(json, "tenant", false),
              string(json, "client", false), TraceParents.validOrNull(json.getValue("traceparent")));
        case "subscribe":
          return new Command.Subscribe(id, channel(json), since(json));
        case "unsubscribe":
          return new Command.Unsubscribe(id, channel(json));
        case "publish":
          return publish(id, json);
        case "ping":
          return new Command.Ping(id);
        case "refresh":
          return new Command.Refresh(id, string(json, "token", true));
        default:
          throw new ProtocolException(ErrorCode.BAD_REQUEST, "unknown command type \"" + type + "\"");
      }
    } catch (ProtocolException e) {
      throw e.withCommandId(id);
    }
  }

  private static Command.Publish publish(long id, JsonObject json) {
    String channel = channel(json);
    String key = string(json, "key", false);
    boolean hasData = json.containsKey("data");
    boolean hasPatch = json.containsKey("patch");
    if (hasData == hasPatch) {
      throw badRequest("a publish carries exactly one of \"data\" or \"patch\"");
    }
    if (hasData) {
      return new Command.Publish(id, channel, key, Json.encode(json.getValue("data")), null,
          TraceParents.validOrNull(json.getValue("traceparent")));
    }
    Object patch = json.getValue("patch");
    if (!(patch instanceof JsonObject)) {
      throw badRequest("\"patch\" must be an object");
    }
    return new Command.Publish(id, channel, key, null, ((JsonObject) patch).encode(),
        TraceParents.validOrNull(json.getValue("traceparent")));
  }

  private static String channel(JsonObject json) {
    return ChannelNames.require(string(json, "channel", true));
  }

  private static Command.Since since(JsonObject json) {
    Object raw = json.getValue("since");
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject)) {
      throw badRequest("\"since\" must be an object with \"epoch\" and \"seq\"");
    }
    JsonObject since = (JsonObject) raw;
    String epoch = string(since, "epoch", true);
    Object seq = since.getValue("seq");
    if (!(seq instanceof Integer || seq instanceof Long) || ((Number) seq).longValue() < 0) {
      throw badRequest("\"since.seq\" must be a non-negative integer");
    }
    return new Command.Since(epoch, ((Number) seq).longValue());
  }

  private static String string(JsonObject json, String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null) {
      if (required) {
        throw badRequest("\"" + field + "\" is required");
      }
      return null;
    }
    if (!(value instanceof String)) {
      throw badRequest("\"" + field + "\" must be a string");
    }
    return (String) value;
  }

  private static ProtocolException badRequest(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }

  /** Encodes a server frame as UTF-8 JSON. */
  public static byte[] encodeFrame(ServerFrame frame) {
    return toJson(frame).getBytes(StandardCharsets.UTF_8);
  }

  /** Encodes a server frame as a JSON string. */
  public static String toJson(ServerFrame frame) {
    Writer w = new Writer();
    if (frame instanceof ServerFrame.Pub) {
      writePub(w, (ServerFrame.Pub) frame);
    } else if (frame instanceof ServerFrame.Ack) {
      ServerFrame.Ack f = (ServerFrame.Ack) frame;
      w.id(f.id()).str("type", "ack").str("channel", f.channel()).num("seq", f.seq()).str("epoch", f.epoch())
          .bool("duplicate", f.duplicate());
    } else if (frame instanceof ServerFrame.Subscribed) {
      ServerFrame.Subscribed f = (ServerFrame.Subscribed) frame;
      w.id(f.id()).str("type", "subscribed").str("channel", f.channel()).str("epoch", f.epoch())
          .num("seq", f.seq()).bool("recovered", f.recovered());
      if (f.pubs() != null && f.recovered()) {
        w.name("pubs").sb.append('[');
        for (int i = 0; i < f.pubs().size(); i++) {
          if (i > 0) {
            w.sb.append(',');
          }
          Writer inner = new Writer();
          writePub(inner, f.pubs().get(i));
          w.sb.append(inner.end());
        }
        w.sb.append(']');
      }
      w.raw("snapshot", f.snapshotJson());
    } else if (frame instanceof ServerFrame.Connected) {
      ServerFrame.Connected f = (ServerFrame.Connected) frame;
      w.id(f.id()).str("type", "connected").str("session", f.session()).str("key", f.key())
          .str("user", f.user()).str("tenant", f.tenant()).str("node", f.node()).num("heartbeatMs", f.heartbeatMs());
    } else if (frame instanceof ServerFrame.Unsubscribed) {
      ServerFrame.Unsubscribed f = (ServerFrame.Unsubscribed) frame;
      w.id(f.id()).str("type", "unsubscribed").str("channel", f.channel());
    } else if (frame instanceof ServerFrame.Pong) {
      w.id(((ServerFrame.Pong) frame).id()).str("type", "pong");
    } else if (frame instanceof ServerFrame.Refreshed) {
      ServerFrame.Refreshed f = (ServerFrame.Refreshed) frame;
      w.id(f.id()).str("type", "refreshed");
      if (f.expiresAt() != null) {
        w.num("expiresAt", f.expiresAt());
      }
    } else if (frame instanceof ServerFrame.Error) {
      ServerFrame.Error f = (ServerFrame.Error) frame;
      if (f.id() != null) {
        w.id(f.id());
      }
      w.str("type", "error").str("code", f.code().wireName()).str("message", f.message()).bool("retry", f.retry());
      if (f.retryAfterMs() != null) {
        w.num("retryAfterMs", f.retryAfterMs());
      }
      w.raw("current", f.currentJson());
    } else if (frame instanceof ServerFrame.Reset) {
      ServerFrame.Reset f = (ServerFrame.Reset) frame;
      w.str("type", "reset").str("channel", f.channel()).str("reason", f.reason());
    } else if (frame instanceof ServerFrame.Reconnect) {
      ServerFrame.Reconnect f = (ServerFrame.Reconnect) frame;
      w.str("type", "reconnect").num("delayMs", f.delayMs()).str("reason", f.reason());
    } else {
      throw new IllegalArgumentException("unknown frame " + frame);
    }
    return w.end();
  }

  private static void writePub(Writer w, ServerFrame.Pub f) {
    w.str("type", "pub").str("channel", f.channel()).str("epoch", f.epoch()).num("seq", f.seq());
    if (f.from() > 0) {
      w.num("from", f.from());
    }
    if (f.key() != null) {
      w.str("key", f.key());
    }
    if (f.dataJson() != null) {
      w.raw("data", f.dataJson());
    } else {
      w.raw("patch", f.patchJson());
    }
  }

  /** Encodes a map of already-encoded JSON values as an object, in iteration order. */
  public static String object(Map<String, String> rawValues) {
    Writer w = new Writer();
    rawValues.forEach(w::raw);
    return w.end();
  }

  /** Quotes a string as a JSON string literal. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"').toString();
  }

  /** A minimal append-only JSON object writer; values are trusted (already encoded where raw). */
  private static final class Writer {
    final StringBuilder sb = new StringBuilder(128).append('{');
    boolean first = true;

    Writer name(String name) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append('"').append(name).append("\":");
      return this;
    }

    Writer id(long id) {
      return num("id", id);
    }

    Writer str(String name, String value) {
      if (value == null) {
        return this;
      }
      name(name);
      sb.append('"');
      JsonStringEncoder.getInstance().quoteAsString(value, sb);
      sb.append('"');
      return this;
    }

    Writer num(String name, long value) {
      name(name).sb.append(value);
      return this;
    }

    Writer bool(String name, boolean value) {
      name(name).sb.append(value);
      return this;
    }

    Writer raw(String name, String json) {
      if (json != null) {
        name(name).sb.append(json);
      }
      return this;
    }

    String end() {
      return sb.append('}').toString();
    }
  }
}
