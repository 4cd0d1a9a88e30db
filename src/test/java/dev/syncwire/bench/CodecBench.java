package dev.syncwire.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.ProtoCodec;
import dev.syncwire.protocol.ServerFrame;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Bytes per {@code pub} and the cost of encoding it on the server plus decoding it on a client, JSON
 * against protobuf, for a data message and a 10-field patch. JMH times each operation; {@link #main}
 * runs them all and prints one table. Run it alone (scripts/bench.sh pins it to one CPU). Arguments:
 * {@code --quick} for a short smoke run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CodecBench {
  /** The two messages: {@code data} (about 100 bytes of JSON data) and {@code patch} (10 fields). */
  @Param({"data", "patch"})
  public String message;

  private final ProtoCodec proto = new ProtoCodec(1024);
  private ServerFrame.Pub pub;
  private byte[] json;
  private byte[] protobuf;

  @Setup
  public void prepare() {
    pub = message(message);
    json = JsonCodec.INSTANCE.encode(pub);
    protobuf = proto.encode(pub);
  }

  @Benchmark
  public byte[] jsonEncode() {
    return JsonCodec.INSTANCE.encode(pub);
  }

  @Benchmark
  public JsonObject jsonDecode() {
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }

  @Benchmark
  public byte[] protoEncode() {
    return proto.encode(pub);
  }

  @Benchmark
  public dev.syncwire.protocol.proto.ServerFrame protoDecode() throws InvalidProtocolBufferException {
    return dev.syncwire.protocol.proto.ServerFrame.parseFrom(protobuf);
  }

  static ServerFrame.Pub message(String name) {
    if (name.equals("data")) {
      String data = new JsonObject().put("sentAt", 1764470000123L).put("seq", 48213)
          .put("text", "x".repeat(60)).encode();
      return new ServerFrame.Pub("orders:eu", "k3x9a1b2c3d4", 48213, 0, "c7f1-0001", data, null);
    }
    JsonObject set = new JsonObject();
    JsonObject versions = new JsonObject();
    for (int i = 0; i < 10; i++) {
      set.put("field" + i, i % 2 == 0 ? (Object) (i * 1000 + 7) : "value-" + i);
      versions.put("field" + i, 48214);
    }
    String patch = new JsonObject().put("entity", "row-7").put("set", set).put("versions", versions).encode();
    return new ServerFrame.Pub("doc:42", "k3x9a1b2c3d4", 48214, 0, null, null, patch);
  }

  public static void main(String[] args) {
    boolean quick = Arrays.asList(args).contains("--quick");
    Map<String, Double> nsPerOp = new HashMap<>();
    for (RunResult r : Jmh.run(CodecBench.class, quick)) {
      nsPerOp.put(r.getParams().getParam("message") + " " + Jmh.method(r), r.getPrimaryResult().getScore());
    }
    ProtoCodec proto = new ProtoCodec(1024);
    System.out.printf(Locale.ROOT, "%-22s %8s %14s %14s %14s%n", "case", "bytes", "encode ns/op", "decode ns/op", "total ns/op");
    for (List<String> c : List.of(List.of("data", "data 100 B"), List.of("patch", "patch 10 fields"))) {
      ServerFrame.Pub pub = message(c.get(0));
      row(c.get(1) + " / json", JsonCodec.INSTANCE.encode(pub).length, nsPerOp.get(c.get(0) + " jsonEncode"),
          nsPerOp.get(c.get(0) + " jsonDecode"));
      row(c.get(1) + " / proto", proto.encode(pub).length, nsPerOp.get(c.get(0) + " protoEncode"),
          nsPerOp.get(c.get(0) + " protoDecode"));
    }
  }

  private static void row(String name, int bytes, double encode, double decode) {
    System.out.printf(Locale.ROOT, "%-22s %8d %14.0f %14.0f %14.0f%n", name, bytes, encode, decode, encode + decode);
  }
}
