package dev.syncwire.client;

import dev.syncwire.testing.Http;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A subscriber speaking JSON and one speaking protobuf, on one channel of a real node in this JVM, while
 * publishers of both encodings take turns sending data of every JSON kind (large longs, decimals, unicode)
 * and state patches (set, unset, inc, if; a patch large enough to travel compressed): both subscribers hand
 * the application the same publications, with the values sent, and end with the same state, the server's.
 */
class ClientEncodingsTest {
  private static final String CHANNEL = "mixed";
  private static final String BLOB = "ü ☃ 🎉 \"quoted\" \\ ".repeat(150);

  private static TestNode node;
  private final List<SyncwireClient> clients = new ArrayList<>();

  @BeforeAll
  static void startNode() {
    node = TestNode.start();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(c -> Await.result(c.close()));
  }

  private SyncwireClient connected(String encoding) {
    SyncwireClient c = SyncwireClient.builder("http://127.0.0.1:" + node.port()).tenant("demo")
        .transports(List.of("websocket")).encoding(encoding).build();
    clients.add(c);
    Await.result(c.connect());
    return c;
  }

  private static List<Object> data() {
    JsonObject object = new JsonObject()
        .put("text", "plain").put("unicode", "ü é 日本語 🎉 \u2028 \"q\" \\ \n\t\u0000").put("none", null)
        .put("yes", true).put("no", false).put("int", 42).put("negative", -7)
        .put("max", Long.MAX_VALUE).put("min", Long.MIN_VALUE).put("beyondDoubles", 9_007_199_254_740_993L)
        .put("tenth", 0.1).put("huge", 1.5e300).put("tiny", -2.5e-8).put("whole", 1.0)
        .put("nested", new JsonObject().put("list", new JsonArray().add(1).add("two").add(new JsonObject().put("three", 3.5)))
            .put("empty", new JsonObject()))
        .put("emptyList", new JsonArray()).put("ключ 🔑", "unicode key");
    JsonArray array = new JsonArray().add(1).add(2.5).add("x").addNull().add(true).add(new JsonArray())
        .add(new JsonObject()).add(Long.MAX_VALUE).add(-0.0);
    return List.of(object, array, "a string ✓ with \u0000 and 🎉", "", 0, Long.MAX_VALUE, Long.MIN_VALUE,
        9_007_199_254_740_993L, 0.1, 1.5e300, -2.5e-8, true, false);
  }

  @Test
  void jsonAndProtobufSubscribersSeeTheSamePublicationsAndTheSameState() throws Exception {
    SyncwireClient json = connected("json");
    SyncwireClient proto = connected("protobuf");
    Queue<Publication> viaJson = new ConcurrentLinkedQueue<>();
    Queue<Publication> viaProto = new ConcurrentLinkedQueue<>();
    Subscription jsonSub = json.subscribe(CHANNEL, viaJson::add);
    Subscription protoSub = proto.subscribe(CHANNEL, viaProto::add);
    Await.result(jsonSub.ready());
    Await.result(protoSub.ready());
    List<SyncwireClient> publishers = List.of(connected("json"), connected("protobuf"));

    // Sent one at a time, the publishers taking turns, so that the positions follow the list.
    List<JsonObject> sent = new ArrayList<>();
    Function<JsonObject, Ack> send = body -> {
      SyncwireClient publisher = publishers.get(sent.size() % 2);
      String key = "m" + sent.size();
      Future<Ack> ack = body.containsKey("patch") ? publisher.patch(CHANNEL, body.getJsonObject("patch"), key)
          : publisher.publish(CHANNEL, body.getValue("data"), key);
      Ack a = Await.result(ack);
      assertEquals(sent.size() + 1L, a.seq(), key);
      sent.add(body.copy().put("key", key));
      return a;
    };
    for (Object d : data()) {
      send.apply(new JsonObject().put("data", d));
    }
    send.apply(patch("row-1", "set", new JsonObject().put("title", "Hi ü 🎉").put("qty", 3).put("price", 9.99)
        .put("big", Long.MAX_VALUE).put("tags", new JsonArray().add("a").add("b")).put("meta", new JsonObject().put("k", "v"))));
    Ack qtyWritten = send.apply(patch("row-1", "inc", new JsonObject().put("qty", 2)));
    send.apply(patch("row-1", "inc", new JsonObject().put("price", 0.01)));
    send.apply(patch("row-2", "set", new JsonObject().put("name", "second").put("ünïcödé field", "x")));
    send.apply(new JsonObject().put("data", new JsonObject().put("between", "patches")));
    send.apply(patch("row-1", "unset", new JsonArray().add("tags")));
    JsonObject checked = patch("row-1", "set", new JsonObject().put("title", "checked"));
    checked.getJsonObject("patch").put("if", new JsonObject().put("qty", qtyWritten.seq()).put("absent", 0));
    send.apply(checked);
    // A stale condition is refused and takes no position, whichever encoding sent it.
    for (SyncwireClient publisher : publishers) {
      Throwable refused = Await.result(publisher.patch(CHANNEL, new JsonObject().put("entity", "row-1")
          .put("set", new JsonObject().put("title", "stale")).put("if", new JsonObject().put("qty", 1)))
          .map(a -> (Throwable) null).otherwise(e -> e));
      assertInstanceOf(SyncwireException.class, refused);
      assertEquals("conflict", ((SyncwireException) refused).code());
    }
    send.apply(patch("row-2", "unset", new JsonArray().add("name").add("ünïcödé field")));
    send.apply(patch("row-3", "inc", new JsonObject().put("counter", Long.MAX_VALUE)));
    send.apply(patch("row-3", "inc", new JsonObject().put("counter", 1))); // overflows into a floating-point number
    send.apply(patch("row-1", "inc", new JsonObject().put("qty", -0.5)));
    send.apply(patch("row-4", "set", new JsonObject().put("blob", BLOB))); // compressed in protobuf
    send.apply(new JsonObject().put("data", "the end"));

    long last = sent.size();
    Await.until(Duration.ofSeconds(10), "both subscribers at " + last,
        () -> at(jsonSub) >= last && at(protoSub) >= last, () -> "json at " + at(jsonSub) + ", protobuf at " + at(protoSub));

    List<Publication> fromJson = List.copyOf(viaJson);
    List<Publication> fromProto = List.copyOf(viaProto);
    assertEquals(fromJson.stream().map(ClientEncodingsTest::exactly).toList(),
        fromProto.stream().map(ClientEncodingsTest::exactly).toList(), "the same publications in both encodings");
    assertEquals(sent.size(), fromJson.size());
    for (int i = 0; i < sent.size(); i++) {
      JsonObject s = sent.get(i);
      Publication p = fromJson.get(i);
      assertEquals(i + 1L, p.seq());
      assertEquals(s.getString("key"), p.key());
      assertFalse(p.recovered());
      if (s.containsKey("data")) {
        assertEquals(byValue(s.getValue("data")), byValue(p.data()), "the data sent, publication " + p.seq());
      } else {
        JsonObject expected = s.getJsonObject("patch").copy();
        expected.remove("if");
        JsonObject changes = p.patch().copy();
        JsonObject versions = (JsonObject) changes.remove("versions");
        assertEquals(byValue(expected), byValue(changes), "the patch sent, publication " + p.seq());
        versions.forEach(v -> assertEquals(p.seq(), ((Number) v.getValue()).longValue(), "version of " + v.getKey()));
      }
    }

    assertEquals(jsonSub.position(), protoSub.position());
    assertEquals(exactly(jsonSub.state().entities()), exactly(protoSub.state().entities()), "the same replica");
    JsonObject snapshot = adminChannel().getJsonObject("snapshot");
    assertEquals(last, snapshot.getLong("seq"));
    for (Subscription sub : List.of(jsonSub, protoSub)) {
      Map<String, JsonObject> entities = sub.state().entities();
      JsonObject server = snapshot.getJsonObject("entities");
      assertEquals(server.fieldNames(), entities.keySet(), "entities");
      for (String id : entities.keySet()) {
        JsonObject fields = new JsonObject();
        JsonObject versions = new JsonObject();
        server.getJsonObject(id).forEach(f -> {
          fields.put(f.getKey(), ((JsonObject) f.getValue()).getValue("v"));
          versions.put(f.getKey(), ((JsonObject) f.getValue()).getLong("seq"));
        });
        assertEquals(byValue(fields), byValue(entities.get(id)), "the server's state of " + id);
        assertEquals(byValue(versions), byValue(new JsonObject(new TreeMap<>(sub.state().versions(id)))),
            "the versions of " + id);
      }
    }
    JsonObject row3 = jsonSub.state().entity("row-3");
    assertInstanceOf(Double.class, row3.getValue("counter"), "an overflowing inc becomes a floating-point number");
  }

  private static JsonObject patch(String entity, String op, Object change) {
    return new JsonObject().put("patch", new JsonObject().put("entity", entity).put(op, change));
  }

  private static long at(Subscription s) {
    Position p = s.position();
    return p == null ? -1 : p.seq();
  }

  /** A publication as text that tells every difference but the order of object keys. */
  private static String exactly(Publication p) {
    return p.seq() + " " + p.from() + " " + p.key() + " " + p.recovered() + " " + p.epoch() + " "
        + exactly(p.data()) + " " + exactly(p.patch());
  }

  /** JSON text with object keys sorted: numbers as their type writes them (1 and 1.0 differ). */
  private static String exactly(Object value) {
    return Json.encode(sorted(value, n -> n));
  }

  /** JSON text with object keys sorted and numbers by value only (1, 1.0 and 1E+0 alike). */
  private static String byValue(Object value) {
    return Json.encode(sorted(value, n -> new BigDecimal(n.toString()).stripTrailingZeros().toString()));
  }

  private static Object sorted(Object value, Function<Number, Object> number) {
    if (value instanceof JsonObject o) {
      return sorted(o.getMap(), number);
    }
    if (value instanceof Map<?, ?> m) {
      TreeMap<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> out.put((String) k, sorted(v, number)));
      return out;
    }
    if (value instanceof JsonArray a) {
      return sorted(a.getList(), number);
    }
    if (value instanceof List<?> l) {
      return l.stream().map(v -> sorted(v, number)).toList();
    }
    if (value instanceof Number n) {
      return number.apply(n);
    }
    return value;
  }

  private static JsonObject adminChannel() throws Exception {
    HttpResponse<String> r = Http.send(Http.request(node.adminPort(), "/api/v1/channels/demo/" + CHANNEL)
        .header("Authorization", "Bearer " + TestNode.ADMIN_KEY));
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }
}
