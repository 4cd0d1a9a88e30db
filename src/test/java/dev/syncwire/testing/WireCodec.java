package dev.syncwire.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.syncwire.protocol.proto.ClientFrame;
import dev.syncwire.protocol.proto.Connect;
import dev.syncwire.protocol.proto.Patch;
import dev.syncwire.protocol.proto.Ping;
import dev.syncwire.protocol.proto.Publish;
import dev.syncwire.protocol.proto.ServerFrame;
import dev.syncwire.protocol.proto.Since;
import dev.syncwire.protocol.proto.StateDelta;
import dev.syncwire.protocol.proto.Subscribe;
import dev.syncwire.protocol.proto.Unsubscribe;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;

/**
 * The two encodings as a client sees them. Tests speak JSON objects; the protobuf side translates
 * them to and from the generated messages of frames.proto by field name, independently of the
 * server's codec, so one suite checks both encodings.
 */
public enum WireCodec {
  JSON("syncwire.v1.json"),
  PROTO("syncwire.v1.proto");

  public final String subprotocol;

  WireCodec(String subprotocol) {
    this.subprotocol = subprotocol;
  }

  /** A client command (JSON form) as protobuf bytes. */
  public static byte[] toProto(JsonObject c) {
    long id = c.getLong("id", 0L);
    ClientFrame.Builder f = ClientFrame.newBuilder();
    switch (c.getString("type")) {
      case "connect" -> {
        Connect.Builder b = Connect.newBuilder().setId(id);
        if (c.containsKey("token")) {
          b.setToken(c.getString("token"));
        }
        if (c.containsKey("tenant")) {
          b.setTenant(c.getString("tenant"));
        }
        f.setConnect(b);
      }
      case "subscribe" -> {
        Subscribe.Builder b = Subscribe.newBuilder().setId(id).setChannel(c.getString("channel"));
        JsonObject since = c.getJsonObject("since");
        if (since != null) {
          b.setSince(Since.newBuilder().setEpoch(since.getString("epoch")).setSeq(since.getLong("seq")));
        }
        f.setSubscribe(b);
      }
      case "unsubscribe" -> f.setUnsubscribe(Unsubscribe.newBuilder().setId(id).setChannel(c.getString("channel")));
      case "publish" -> {
        Publish.Builder b = Publish.newBuilder().setId(id).setChannel(c.getString("channel"));
        if (c.containsKey("key")) {
          b.setKey(c.getString("key"));
        }
        if (c.containsKey("data")) {
          b.setData(json(c.getValue("data")));
        }
        JsonObject patch = c.getJsonObject("patch");
        if (patch != null) {
          Patch.Builder p = Patch.newBuilder().setEntity(patch.getString("entity"));
          patch.getJsonObject("set", new JsonObject()).forEach(e -> p.putSet(e.getKey(), json(e.getValue())));
          patch.getJsonArray("unset", new JsonArray()).forEach(u -> p.addUnset((String) u));
          patch.getJsonObject("inc", new JsonObject()).forEach(e -> p.putInc(e.getKey(), json(e.getValue())));
          patch.getJsonObject("if", new JsonObject()).forEach(e -> p.putIf(e.getKey(), ((Number) e.getValue()).longValue()));
          b.setPatch(p);
        }
        f.setPublish(b);
      }
      case "ping" -> f.setPing(Ping.newBuilder().setId(id));
      default -> throw new IllegalArgumentException("the protobuf schema has no command " + c.getString("type"));
    }
    return f.build().toByteArray();
  }

  /** A server frame (protobuf bytes) in its JSON form. */
  public static JsonObject fromProto(byte[] bytes) {
    ServerFrame f;
    try {
      f = ServerFrame.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("server sent an invalid ServerFrame", e);
    }
    switch (f.getTypeCase()) {
      case CONNECTED -> {
        var c = f.getConnected();
        return new JsonObject().put("id", c.getId()).put("type", "connected").put("session", c.getSession())
            .put("key", c.getKey()).put("user", c.getUser()).put("tenant", c.getTenant()).put("node", c.getNode())
            .put("heartbeatMs", c.getHeartbeatMs());
      }
      case SUBSCRIBED -> {
        var s = f.getSubscribed();
        JsonObject out = new JsonObject().put("id", s.getId()).put("type", "subscribed").put("channel", s.getChannel())
            .put("epoch", s.getEpoch()).put("seq", s.getSeq()).put("recovered", s.getRecovered());
        if (s.getRecovered()) {
          JsonArray pubs = new JsonArray();
          s.getPubsList().forEach(p -> pubs.add(pub(p)));
          out.put("pubs", pubs);
        }
        if (s.hasSnapshot()) {
          out.put("snapshot", new JsonObject(s.getSnapshot().toStringUtf8()));
        }
        return out;
      }
      case UNSUBSCRIBED -> {
        return new JsonObject().put("id", f.getUnsubscribed().getId()).put("type", "unsubscribed")
            .put("channel", f.getUnsubscribed().getChannel());
      }
      case ACK -> {
        var a = f.getAck();
        return new JsonObject().put("id", a.getId()).put("type", "ack").put("channel", a.getChannel())
            .put("seq", a.getSeq()).put("epoch", a.getEpoch()).put("duplicate", a.getDuplicate());
      }
      case PONG -> {
        return new JsonObject().put("id", f.getPong().getId()).put("type", "pong");
      }
      case ERROR -> {
        var e = f.getError();
        JsonObject out = new JsonObject();
        if (e.hasId()) {
          out.put("id", e.getId());
        }
        out.put("type", "error").put("code", e.getCode()).put("message", e.getMessage()).put("retry", e.getRetry());
        if (e.hasRetryAfterMs()) {
          out.put("retryAfterMs", e.getRetryAfterMs());
        }
        if (e.hasCurrent()) {
          out.put("current", new JsonObject(e.getCurrent().toStringUtf8()));
        }
        return out;
      }
      case PUB -> {
        return pub(f.getPub());
      }
      case RESET -> {
        return new JsonObject().put("type", "reset").put("channel", f.getReset().getChannel())
            .put("reason", f.getReset().getReason());
      }
      case RECONNECT -> {
        return new JsonObject().put("type", "reconnect").put("delayMs", f.getReconnect().getDelayMs())
            .put("reason", f.getReconnect().getReason());
      }
      default -> throw new AssertionError("empty ServerFrame");
    }
  }

  private static JsonObject pub(dev.syncwire.protocol.proto.Pub p) {
    JsonObject out = new JsonObject().put("type", "pub").put("channel", p.getChannel()).put("epoch", p.getEpoch())
        .put("seq", p.getSeq());
    if (p.getFrom() != 0) {
      out.put("from", p.getFrom());
    }
    if (p.hasKey()) {
      out.put("key", p.getKey());
    }
    if (p.hasData()) {
      out.put("data", Json.decodeValue(p.getData().toStringUtf8()));
    }
    if (p.hasPatch()) {
      StateDelta d = p.getPatch();
      byte[] raw = d.getPatch().toByteArray();
      JsonObject patch = new JsonObject(new String(d.getCompressed() ? inflate(raw) : raw, StandardCharsets.UTF_8));
      patch.put("entity", d.getEntity());
      JsonObject versions = new JsonObject();
      d.getVersionsMap().forEach(versions::put);
      patch.put("versions", versions);
      out.put("patch", patch);
      out.put("compressed", d.getCompressed());
    }
    return out;
  }

  private static ByteString json(Object value) {
    return ByteString.copyFromUtf8(Json.encode(value));
  }

  static byte[] inflate(byte[] bytes) {
    Inflater inflater = new Inflater();
    inflater.setInput(bytes);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && inflater.needsInput()) {
          break;
        }
        out.write(buf, 0, n);
      }
    } catch (java.util.zip.DataFormatException e) {
      throw new AssertionError(e);
    } finally {
      inflater.end();
    }
    return out.toByteArray();
  }

  /** Keeps the frame's fields comparable across codecs (drops the protobuf-only compression flag). */
  public static JsonObject comparable(JsonObject frame) {
    JsonObject copy = frame.copy();
    copy.remove("compressed");
    return copy;
  }

  @SuppressWarnings("unused")
  private static final List<Map<String, Object>> NONE = List.of();
}
