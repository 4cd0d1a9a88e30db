package dev.syncwire.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.syncwire.protocol.proto.ClientFrame;
import dev.syncwire.protocol.proto.Connect;
import dev.syncwire.protocol.proto.Patch;
import dev.syncwire.protocol.proto.Ping;
import dev.syncwire.protocol.proto.Publish;
import dev.syncwire.protocol.proto.Refresh;
import dev.syncwire.protocol.proto.ServerFrame;
import dev.syncwire.protocol.proto.Since;
import dev.syncwire.protocol.proto.StateDelta;
import dev.syncwire.protocol.proto.Subscribe;
import dev.syncwire.protocol.proto.Unsubscribe;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The WebSocket subprotocols as the client speaks them. The rest of the client works on frames in their
 * JSON form (docs/protocol.md §3); the binary codec translates that form to and from the messages of
 * {@code frames.proto}, so both encodings give the application the same stream.
 */
interface ClientCodec {

  ClientCodec JSON = new JsonFrames();
  ClientCodec PROTO = new ProtoFrames();

  /** The subprotocol offered in the handshake. */
  String subprotocol();

  /** Whether frames travel as binary WebSocket messages. */
  boolean binary();

  /** A command, ready to be written. */
  Buffer encode(JsonObject command);

  /**
   * A server frame in its JSON form.
   *
   * @throws IllegalArgumentException when the bytes are no frame of this encoding
   */
  JsonObject decode(Buffer frame);

  /** The codec named by a builder option: "json" or "protobuf". */
  static ClientCodec named(String name) {
    return switch (name) {
      case "json", "syncwire.v1.json" -> JSON;
      case "protobuf", "proto", "syncwire.v1.proto" -> PROTO;
      default -> throw new IllegalArgumentException("unknown encoding \"" + name + "\" (json or protobuf)");
    };
  }

  /** {@code syncwire.v1.json}: one JSON object per text message. */
  final class JsonFrames implements ClientCodec {
    @Override
    public String subprotocol() {
      return "syncwire.v1.json";
    }

    @Override
    public boolean binary() {
      return false;
    }

    @Override
    public Buffer encode(JsonObject command) {
      return command.toBuffer();
    }

    @Override
    public JsonObject decode(Buffer frame) {
      try {
        return frame.toJsonObject();
      } catch (DecodeException | ClassCastException e) {
        throw new IllegalArgumentException("frame is not a JSON object", e);
      }
    }
  }

  /** {@code syncwire.v1.proto}: one ClientFrame or ServerFrame message per binary message. */
  final class ProtoFrames implements ClientCodec {
    @Override
    public String subprotocol() {
      return "syncwire.v1.proto";
    }

    @Override
    public boolean binary() {
      return true;
    }

    @Override
    public Buffer encode(JsonObject c) {
      long id = c.getLong("id", 0L);
      ClientFrame.Builder f = ClientFrame.newBuilder();
      switch (c.getString("type")) {
        case "connect" -> {
          Connect.Builder b = Connect.newBuilder().setId(id);
          String token = c.getString("token");
          String tenant = c.getString("tenant");
          String client = c.getString("client");
          if (token != null) {
            b.setToken(token);
          }
          if (tenant != null) {
            b.setTenant(tenant);
          }
          if (client != null) {
            b.setClient(client);
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
          String key = c.getString("key");
          if (key != null) {
            b.setKey(key);
          }
          if (c.containsKey("data")) {
            b.setData(json(c.getValue("data")));
          }
          JsonObject patch = c.getJsonObject("patch");
          if (patch != null) {
            b.setPatch(patch(patch));
          }
          f.setPublish(b);
        }
        case "ping" -> f.setPing(Ping.newBuilder().setId(id));
        case "refresh" -> f.setRefresh(Refresh.newBuilder().setId(id).setToken(c.getString("token")));
        default -> throw new IllegalArgumentException("no such command: " + c.getString("type"));
      }
      return Buffer.buffer(f.build().toByteArray());
    }

    private static Patch patch(JsonObject patch) {
      Patch.Builder p = Patch.newBuilder().setEntity(patch.getString("entity"));
      JsonObject set = patch.getJsonObject("set");
      if (set != null) {
        set.forEach(e -> p.putSet(e.getKey(), json(e.getValue())));
      }
      JsonArray unset = patch.getJsonArray("unset");
      if (unset != null) {
        unset.forEach(u -> p.addUnset(String.valueOf(u)));
      }
      JsonObject inc = patch.getJsonObject("inc");
      if (inc != null) {
        inc.forEach(e -> p.putInc(e.getKey(), json(e.getValue())));
      }
      JsonObject expected = patch.getJsonObject("if");
      if (expected != null) {
        expected.forEach(e -> p.putIf(e.getKey(), ((Number) e.getValue()).longValue()));
      }
      return p.build();
    }

    private static ByteString json(Object value) {
      return ByteString.copyFromUtf8(Json.encode(value));
    }

    @Override
    public JsonObject decode(Buffer bytes) {
      ServerFrame f;
      try {
        f = ServerFrame.parseFrom(bytes.getBytes());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("frame is not a syncwire.v1.ServerFrame", e);
      }
      JsonObject out = new JsonObject();
      switch (f.getTypeCase()) {
        case CONNECTED -> {
          var c = f.getConnected();
          out.put("id", c.getId()).put("type", "connected").put("session", c.getSession()).put("key", c.getKey())
              .put("user", c.getUser()).put("tenant", c.getTenant()).put("node", c.getNode())
              .put("heartbeatMs", c.getHeartbeatMs());
        }
        case SUBSCRIBED -> {
          var s = f.getSubscribed();
          out.put("id", s.getId()).put("type", "subscribed").put("channel", s.getChannel()).put("epoch", s.getEpoch())
              .put("seq", s.getSeq()).put("recovered", s.getRecovered());
          if (s.getPubsCount() > 0) {
            JsonArray pubs = new JsonArray();
            s.getPubsList().forEach(p -> pubs.add(pub(p)));
            out.put("pubs", pubs);
          }
          if (s.hasSnapshot()) {
            out.put("snapshot", value(s.getSnapshot()));
          }
        }
        case UNSUBSCRIBED -> out.put("id", f.getUnsubscribed().getId()).put("type", "unsubscribed")
            .put("channel", f.getUnsubscribed().getChannel());
        case ACK -> {
          var a = f.getAck();
          out.put("id", a.getId()).put("type", "ack").put("channel", a.getChannel()).put("seq", a.getSeq())
              .put("epoch", a.getEpoch()).put("duplicate", a.getDuplicate());
        }
        case PONG -> out.put("id", f.getPong().getId()).put("type", "pong");
        case REFRESHED -> {
          out.put("id", f.getRefreshed().getId()).put("type", "refreshed");
          if (f.getRefreshed().hasExpiresAt()) {
            out.put("expiresAt", f.getRefreshed().getExpiresAt());
          }
        }
        case ERROR -> {
          var e = f.getError();
          if (e.hasId()) {
            out.put("id", e.getId());
          }
          out.put("type", "error").put("code", e.getCode()).put("message", e.getMessage()).put("retry", e.getRetry());
          if (e.hasRetryAfterMs()) {
            out.put("retryAfterMs", e.getRetryAfterMs());
          }
          if (e.hasCurrent()) {
            out.put("current", value(e.getCurrent()));
          }
        }
        case PUB -> out = pub(f.getPub());
        case RESET -> out.put("type", "reset").put("channel", f.getReset().getChannel()).put("reason", f.getReset().getReason());
        case RECONNECT -> out.put("type", "reconnect").put("delayMs", f.getReconnect().getDelayMs())
            .put("reason", f.getReconnect().getReason());
        default -> throw new IllegalArgumentException("frame carries nothing the client knows");
      }
      return out;
    }

    private static JsonObject pub(dev.syncwire.protocol.proto.Pub p) {
      JsonObject out = new JsonObject().put("type", "pub").put("channel", p.getChannel()).put("epoch", p.getEpoch())
          .put("seq", p.getSeq());
      if (p.getFrom() > 0) {
        out.put("from", p.getFrom());
      }
      if (p.hasKey()) {
        out.put("key", p.getKey());
      }
      if (p.hasData()) {
        out.put("data", value(p.getData()));
      }
      if (p.hasPatch()) {
        out.put("patch", patch(p.getPatch()));
      }
      return out;
    }

    /** A StateDelta back in the JSON form of a pub's patch: entity, the changes, versions. */
    private static JsonObject patch(StateDelta d) {
      byte[] bytes = d.getPatch().toByteArray();
      JsonObject patch = new JsonObject(Buffer.buffer(d.getCompressed() ? inflate(bytes) : bytes));
      JsonObject out = new JsonObject().put("entity", d.getEntity());
      patch.forEach(e -> out.put(e.getKey(), e.getValue()));
      JsonObject versions = new JsonObject();
      d.getVersionsMap().forEach(versions::put);
      return out.put("versions", versions);
    }

    private static Object value(ByteString json) {
      return Json.decodeValue(json.toString(StandardCharsets.UTF_8));
    }

    private static byte[] inflate(byte[] input) {
      Inflater inflater = new Inflater();
      try {
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length * 3);
        byte[] buf = new byte[8192];
        while (!inflater.finished()) {
          int n = inflater.inflate(buf);
          if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
            throw new IllegalArgumentException("truncated compressed patch");
          }
          out.write(buf, 0, n);
        }
        return out.toByteArray();
      } catch (DataFormatException e) {
        throw new IllegalArgumentException("compressed patch is not zlib", e);
      } finally {
        inflater.end();
      }
    }
  }
}
