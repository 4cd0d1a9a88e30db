package dev.syncwire.bench;

import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.ProtoCodec;
import dev.syncwire.protocol.ServerFrame;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Bytes per {@code pub} and the cost of encoding it on the server plus decoding it on a client, JSON
 * against protobuf, for a data message and a 10-field patch. A plain loop with warm-up; run it alone
 * (scripts/bench.sh pins it to one CPU).
 */
public final class CodecBench {
  private static final long WARMUP_NS = 2_000_000_000L;
  private static final long MEASURE_NS = 3_000_000_000L;
  private static volatile Object sink;

  private CodecBench() {
  }

  public static void main(String[] args) {
    ProtoCodec proto = new ProtoCodec(1024);
    String data = new JsonObject().put("sentAt", 1764470000123L).put("seq", 48213)
        .put("text", "x".repeat(60)).encode();
    ServerFrame.Pub dataPub = new ServerFrame.Pub("orders:eu", "k3x9a1b2c3d4", 48213, 0, "c7f1-0001", data, null);
    JsonObject set = new JsonObject();
    JsonObject versions = new JsonObject();
    for (int i = 0; i < 10; i++) {
      set.put("field" + i, i % 2 == 0 ? (Object) (i * 1000 + 7) : "value-" + i);
      versions.put("field" + i, 48214);
    }
    String patch = new JsonObject().put("entity", "row-7").put("set", set).put("versions", versions).encode();
    ServerFrame.Pub patchPub = new ServerFrame.Pub("doc:42", "k3x9a1b2c3d4", 48214, 0, null, null, patch);

    System.out.printf(Locale.ROOT, "%-22s %8s %14s %14s %14s%n", "case", "bytes", "encode ns/op", "decode ns/op", "total ns/op");
    for (Object[] c : new Object[][] {{"data 100 B", dataPub}, {"patch 10 fields", patchPub}}) {
      ServerFrame.Pub pub = (ServerFrame.Pub) c[1];
      byte[] json = JsonCodec.INSTANCE.encode(pub);
      byte[] bin = proto.encode(pub);
      row(c[0] + " / json", json.length, () -> JsonCodec.INSTANCE.encode(pub),
          () -> new JsonObject(new String(json, java.nio.charset.StandardCharsets.UTF_8)));
      row(c[0] + " / proto", bin.length, () -> proto.encode(pub), () -> parse(bin));
    }
  }

  private static Object parse(byte[] bytes) {
    try {
      return dev.syncwire.protocol.proto.ServerFrame.parseFrom(bytes);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void row(String name, int bytes, Supplier<Object> encode, Supplier<Object> decode) {
    double enc = nsPerOp(encode);
    double dec = nsPerOp(decode);
    System.out.printf(Locale.ROOT, "%-22s %8d %14.0f %14.0f %14.0f%n", name, bytes, enc, dec, enc + dec);
  }

  private static double nsPerOp(Supplier<Object> op) {
    run(op, WARMUP_NS);
    return run(op, MEASURE_NS);
  }

  private static double run(Supplier<Object> op, long durationNs) {
    long ops = 0;
    long start = System.nanoTime();
    long end = start + durationNs;
    long now;
    do {
      for (int i = 0; i < 1000; i++) {
        sink = op.get();
      }
      ops += 1000;
      now = System.nanoTime();
    } while (now < end);
    return (double) (now - start) / ops;
  }
}
