package dev.syncwire.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.syncwire.protocol.proto.ClientFrame;
import dev.syncwire.protocol.proto.StateDelta;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * The {@code syncwire.v1.proto} codec: one {@code ClientFrame} or {@code ServerFrame} protobuf message
 * per binary frame ({@code src/main/proto/syncwire/v1/frames.proto}). JSON-valued fields travel as
 * UTF-8 JSON bytes; state patches above a size threshold are deflated (zlib, RFC 1950).
 */
public final class ProtoCodec implements FrameCodec {
  public static final String SUBPROTOCOL = "syncwire.v1.proto";
  private static final JsonFactory JSON_FACTORY = new JsonFactory();

  private final int compressAboveBytes;

  public ProtoCodec(int compressAboveBytes) {
    this.compressAboveBytes = compressAboveBytes;
  }

  @Override
  public String subprotocol() {
    return SUBPROTOCOL;
  }

  @Override
  public boolean binary() {
    return true;
  }

  @Override
  public int slot() {
    return 1;
  }

  @Override
  public Command decodeText(String message) {
    throw new MalformedFrameException("text frames need the syncwire.v1.json subprotocol");
  }

  @Override
  public Command decode(byte[] message) {
    ClientFrame frame;
    try {
      frame = ClientFrame.parseFrom(message);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException("frame is not a syncwire.v1.ClientFrame");
    }
    switch (frame.getTypeCase()) {
      case CONNECT: {
        var c = frame.getConnect();
        return new Command.Connect(c.getId(), c.hasToken() ? c.getToken() : null, c.hasTenant() ? c.getTenant() : null,
            c.hasClient() ? c.getClient() : null, c.hasTraceparent() ? TraceParents.validOrNull(c.getTraceparent()) : null);
      }
      case SUBSCRIBE: {
        var s = frame.getSubscribe();
        return withId(s.getId(), () -> new Command.Subscribe(s.getId(), ChannelNames.require(s.getChannel()),
            s.hasSince() ? new Command.Since(s.getSince().getEpoch(), s.getSince().getSeq()) : null));
      }
      case UNSUBSCRIBE: {
        var u = frame.getUnsubscribe();
        return withId(u.getId(), () -> new Command.Unsubscribe(u.getId(), ChannelNames.require(u.getChannel())));
      }
      case PUBLISH: {
        var p = frame.getPublish();
        return withId(p.getId(), () -> new Command.Publish(p.getId(), ChannelNames.require(p.getChannel()),
            p.hasKey() ? p.getKey() : null, p.hasData() ? json(p.getData(), "data") : null,
            p.hasPatch() ? patchJson(p.getPatch()) : null,
            p.hasTraceparent() ? TraceParents.validOrNull(p.getTraceparent()) : null));
      }
      case PING:
        return new Command.Ping(frame.getPing().getId());
      case REFRESH: {
        var r = frame.getRefresh();
        if (r.getToken().isEmpty()) {
          throw new ProtocolException(ErrorCode.BAD_REQUEST, "refresh needs a \"token\"").withCommandId(r.getId());
        }
        return new Command.Refresh(r.getId(), r.getToken());
      }
      default:
        throw new MalformedFrameException("frame carries no command");
    }
  }

  private static Command withId(long id, java.util.function.Supplier<Command> build) {
    try {
      return build.get();
    } catch (ProtocolException e) {
      throw e.withCommandId(id);
    }
  }

  /** A JSON-valued field, checked by {@link ClientJson} and then carried as the client wrote it. */
  private static String json(ByteString bytes, String field) {
    value(bytes, field);
    return bytes.toStringUtf8();
  }

  /** A JSON-valued field, read. */
  private static Object value(ByteString bytes, String field) {
    try {
      if (bytes.isValidUtf8()) {
        return ClientJson.parse(bytes.toByteArray());
      }
    } catch (ClientJson.Refused e) {
      if (e.partial() != null) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"" + field + "\": " + e.getMessage());
      }
    }
    throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"" + field + "\" must hold UTF-8 JSON");
  }

  private static String patchJson(dev.syncwire.protocol.proto.Patch patch) {
    JsonObject out = new JsonObject().put("entity", patch.getEntity());
    if (patch.getSetCount() > 0) {
      JsonObject set = new JsonObject();
      patch.getSetMap().forEach((k, v) -> set.put(k, value(v, "patch.set." + k)));
      out.put("set", set);
    }
    if (patch.getUnsetCount() > 0) {
      out.put("unset", new JsonArray(new java.util.ArrayList<>(patch.getUnsetList())));
    }
    if (patch.getIncCount() > 0) {
      JsonObject inc = new JsonObject();
      patch.getIncMap().forEach((k, v) -> inc.put(k, value(v, "patch.inc." + k)));
      out.put("inc", inc);
    }
    if (patch.getIfCount() > 0) {
      JsonObject expected = new JsonObject();
      patch.getIfMap().forEach(expected::put);
      out.put("if", expected);
    }
    return out.encode();
  }

  @Override
  public byte[] encode(ServerFrame frame) {
    var out = dev.syncwire.protocol.proto.ServerFrame.newBuilder();
    if (frame instanceof ServerFrame.Pub) {
      out.setPub(pub((ServerFrame.Pub) frame));
    } else if (frame instanceof ServerFrame.Ack) {
      ServerFrame.Ack f = (ServerFrame.Ack) frame;
      out.setAck(dev.syncwire.protocol.proto.Ack.newBuilder().setId(f.id()).setChannel(f.channel()).setSeq(f.seq())
          .setEpoch(f.epoch()).setDuplicate(f.duplicate()));
    } else if (frame instanceof ServerFrame.Subscribed) {
      ServerFrame.Subscribed f = (ServerFrame.Subscribed) frame;
      var s = dev.syncwire.protocol.proto.Subscribed.newBuilder().setId(f.id()).setChannel(f.channel())
          .setEpoch(f.epoch()).setSeq(f.seq()).setRecovered(f.recovered());
      if (f.pubs() != null) {
        f.pubs().forEach(p -> s.addPubs(pub(p)));
      }
      if (f.snapshotJson() != null) {
        s.setSnapshot(utf8(f.snapshotJson()));
      }
      out.setSubscribed(s);
    } else if (frame instanceof ServerFrame.Connected) {
      ServerFrame.Connected f = (ServerFrame.Connected) frame;
      out.setConnected(dev.syncwire.protocol.proto.Connected.newBuilder().setId(f.id()).setSession(f.session())
          .setKey(f.key()).setUser(f.user()).setTenant(f.tenant()).setNode(f.node()).setHeartbeatMs(f.heartbeatMs()));
    } else if (frame instanceof ServerFrame.Unsubscribed) {
      ServerFrame.Unsubscribed f = (ServerFrame.Unsubscribed) frame;
      out.setUnsubscribed(dev.syncwire.protocol.proto.Unsubscribed.newBuilder().setId(f.id()).setChannel(f.channel()));
    } else if (frame instanceof ServerFrame.Pong) {
      out.setPong(dev.syncwire.protocol.proto.Pong.newBuilder().setId(((ServerFrame.Pong) frame).id()));
    } else if (frame instanceof ServerFrame.Refreshed) {
      ServerFrame.Refreshed f = (ServerFrame.Refreshed) frame;
      var r = dev.syncwire.protocol.proto.Refreshed.newBuilder().setId(f.id());
      if (f.expiresAt() != null) {
        r.setExpiresAt(f.expiresAt());
      }
      out.setRefreshed(r);
    } else if (frame instanceof ServerFrame.Error) {
      ServerFrame.Error f = (ServerFrame.Error) frame;
      var e = dev.syncwire.protocol.proto.Error.newBuilder().setCode(f.code().wireName()).setMessage(f.message())
          .setRetry(f.retry());
      if (f.id() != null) {
        e.setId(f.id());
      }
      if (f.retryAfterMs() != null) {
        e.setRetryAfterMs(f.retryAfterMs());
      }
      if (f.currentJson() != null) {
        e.setCurrent(utf8(f.currentJson()));
      }
      out.setError(e);
    } else if (frame instanceof ServerFrame.Reset) {
      ServerFrame.Reset f = (ServerFrame.Reset) frame;
      out.setReset(dev.syncwire.protocol.proto.Reset.newBuilder().setChannel(f.channel()).setReason(f.reason()));
    } else if (frame instanceof ServerFrame.Reconnect) {
      ServerFrame.Reconnect f = (ServerFrame.Reconnect) frame;
      out.setReconnect(dev.syncwire.protocol.proto.Reconnect.newBuilder().setDelayMs(f.delayMs()).setReason(f.reason()));
    } else {
      throw new IllegalArgumentException("unknown frame " + frame);
    }
    return out.build().toByteArray();
  }

  private dev.syncwire.protocol.proto.Pub pub(ServerFrame.Pub f) {
    var p = dev.syncwire.protocol.proto.Pub.newBuilder().setChannel(f.channel()).setEpoch(f.epoch()).setSeq(f.seq())
        .setFrom(f.from());
    if (f.key() != null) {
      p.setKey(f.key());
    }
    if (f.dataJson() != null) {
      p.setData(utf8(f.dataJson()));
    } else {
      p.setPatch(stateDelta(f.seq(), f.patchJson()));
    }
    return p.build();
  }

  /**
   * The pub's patch object split into a StateDelta: entity and versions as fields, the changes as bytes.
   * Reads the JSON with a streaming parser and copies the changes verbatim, since this runs once per
   * publication on the owner's hot path.
   */
  private StateDelta stateDelta(long seq, String patchJson) {
    StateDelta.Builder d = StateDelta.newBuilder().setSeq(seq);
    StringBuilder changes = new StringBuilder(patchJson.length()).append('{');
    try (JsonParser parser = JSON_FACTORY.createParser(patchJson)) {
      parser.nextToken();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals("entity")) {
          d.setEntity(parser.getText());
        } else if (name.equals("versions")) {
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            d.putVersions(field, parser.getLongValue());
          }
        } else {
          int start = (int) parser.currentTokenLocation().getCharOffset();
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            parser.skipChildren();
          }
          int end = (int) parser.currentLocation().getCharOffset();
          if (changes.length() > 1) {
            changes.append(',');
          }
          changes.append('"').append(name).append("\":").append(patchJson, start, end);
        }
      }
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("patch is not JSON", e);
    }
    byte[] bytes = changes.append('}').toString().getBytes(StandardCharsets.UTF_8);
    if (bytes.length > compressAboveBytes) {
      d.setPatch(ByteString.copyFrom(deflate(bytes))).setCompressed(true);
    } else {
      d.setPatch(ByteString.copyFrom(bytes));
    }
    return d.build();
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static byte[] deflate(byte[] input) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setInput(input);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(input.length / 2 + 16);
      byte[] buf = new byte[4096];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }
}
