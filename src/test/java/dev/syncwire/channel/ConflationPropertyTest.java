package dev.syncwire.channel;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For random sequences of patches, a subscriber that receives conflated pushes (merged at random points,
 * possibly more than once) ends with exactly the state of one that received every patch.
 */
class ConflationPropertyTest {
  private static final String[] ENTITIES = {"e0", "e1", "e2"};
  private static final String[] FIELDS = {"a", "b", "c", "d"};

  /** One random change: entity, field, operation (0 set number, 1 set text, 2 unset, 3 inc), amount. */
  record Op(int entity, int field, int kind, int amount) {
  }

  @Provide
  Arbitrary<List<List<Op>>> patches() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, ENTITIES.length - 1),
        Arbitraries.integers().between(0, FIELDS.length - 1), Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(-5, 5)).as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(3).list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 500)
  void conflatedPushesReachTheSameState(@ForAll("patches") List<List<Op>> patches, @ForAll long seed) {
    // The owner accepts the patches it can (an inc on text is refused, as the server does).
    ChannelState server = new ChannelState(new StateLimits(100, 100, 1 << 20));
    List<Conflation.Update> published = new ArrayList<>();
    long seq = 0;
    for (List<Op> ops : patches) {
      Patch patch = toPatch(ops);
      if (patch == null) {
        continue;
      }
      try {
        server.validate(patch);
      } catch (PatchException refused) {
        continue;
      }
      seq++;
      published.add(Conflation.Update.of(seq, patch, server.apply(patch, seq)));
    }
    if (published.isEmpty()) {
      return;
    }
    Client everything = new Client();
    published.forEach(everything::receive);

    Random random = new Random(seed);
    List<Conflation.Update> conflated = published;
    for (int pass = 0; pass < 1 + random.nextInt(3); pass++) {
      conflated = conflateAtRandomBreaks(conflated, random);
    }
    Client behind = new Client();
    conflated.forEach(behind::receive);

    assertEquals(seq, everything.position);
    assertEquals(seq, behind.position, "the conflated client reaches the last position");
    assertEquals(everything.state, behind.state);
    assertEquals(snapshot(server), behind.state, "and that is the owner's state");
    assertTrue(conflated.size() <= published.size());
  }

  private static List<Conflation.Update> conflateAtRandomBreaks(List<Conflation.Update> updates, Random random) {
    List<Conflation.Update> out = new ArrayList<>();
    int i = 0;
    while (i < updates.size()) {
      int length = 1 + random.nextInt(Math.min(12, updates.size() - i));
      out.addAll(Conflation.conflate(updates.subList(i, i + length)));
      i += length;
    }
    return out;
  }

  private static Patch toPatch(List<Op> ops) {
    String entity = ENTITIES[ops.get(0).entity()];
    Map<String, Object> set = new LinkedHashMap<>();
    Map<String, Number> inc = new LinkedHashMap<>();
    List<String> unset = new ArrayList<>();
    for (Op op : ops) {
      String field = FIELDS[op.field()];
      if (set.containsKey(field) || inc.containsKey(field) || unset.contains(field)) {
        continue;
      }
      switch (op.kind()) {
        case 0 -> set.put(field, (long) op.amount());
        case 1 -> set.put(field, "t" + op.amount());
        case 2 -> unset.add(field);
        default -> inc.put(field, op.amount() % 2 == 0 ? (Number) (long) op.amount() : (Number) (op.amount() * 0.5));
      }
    }
    return new Patch(entity, set, unset, inc, Map.of());
  }

  private static Map<String, Map<String, List<Object>>> snapshot(ChannelState state) {
    Map<String, Map<String, List<Object>>> out = new HashMap<>();
    for (String entity : ENTITIES) {
      Map<String, ChannelState.Field> fields = state.entity(entity);
      if (fields != null) {
        Map<String, List<Object>> copy = new HashMap<>();
        fields.forEach((k, f) -> copy.put(k, List.of(normalize(f.value()), f.version())));
        out.put(entity, copy);
      }
    }
    return out;
  }

  private static Object normalize(Object v) {
    return v instanceof Number ? Numbers.normalize((Number) v) : v;
  }

  /** A client applying pushes as docs/protocol.md §6.2, §7 and §8 describe. */
  static final class Client {
    long position;
    final Map<String, Map<String, List<Object>>> state = new HashMap<>();

    void receive(Conflation.Update u) {
      assertTrue(u.from() <= position + 1, "no gap: from " + u.from() + " after " + position);
      assertTrue(u.seq() > position, "never behind: seq " + u.seq() + " after " + position);
      Patch p = u.patch();
      Map<String, List<Object>> fields = state.computeIfAbsent(p.entity(), k -> new HashMap<>());
      p.set().forEach((f, v) -> fields.put(f, List.of(normalize(v), u.versions().get(f))));
      p.inc().forEach((f, d) -> {
        List<Object> old = fields.get(f);
        Number base = old == null ? 0L : (Number) old.get(0);
        fields.put(f, List.of(Numbers.add(base, d), u.versions().get(f)));
      });
      p.unset().forEach(fields::remove);
      if (fields.isEmpty()) {
        state.remove(p.entity());
      }
      position = u.seq();
    }
  }
}
