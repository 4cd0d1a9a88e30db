package dev.syncwire.client;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One user of a channel, as {@link SyncwireClient#subscribe} returns it. Publications arrive in {@code seq}
 * order, each once, across reconnects and transport changes; a reset is always reported. Several handles
 * of one channel share one subscription; the channel is unsubscribed when the last handle is. Listeners
 * run on the client's context, one at a time.
 */
public final class Subscription {
  private static final System.Logger LOG = System.getLogger(Subscription.class.getName());

  private final SyncwireClient client;
  private final ChannelStream stream;
  private final Consumer<Publication> onPublication;
  private final List<Consumer<Reset>> resets = new CopyOnWriteArrayList<>();
  private final List<BiConsumer<Map<String, JsonObject>, Set<String>>> states = new CopyOnWriteArrayList<>();
  private final List<Consumer<EntityChange>> changes = new CopyOnWriteArrayList<>();
  private final Map<String, List<Consumer<EntityChange>>> entityChanges = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<Consumer<SyncwireException>> errors = new CopyOnWriteArrayList<>();
  private volatile boolean active = true;
  /** Resets reported before any reset listener, kept for the first one (the latest few). */
  private final List<Reset> unheard = new java.util.ArrayList<>();
  private static final int MAX_UNHEARD = 8;
  /** Guards {@link #stateSeen} and {@link #unheard}; private, so no caller's lock on a handle stalls the client. */
  private final Object lock = new Object();
  /** Whether the replica has changed since this handle was made: later state listeners catch up first. */
  private boolean stateSeen;

  Subscription(SyncwireClient client, ChannelStream stream, Consumer<Publication> onPublication) {
    this.client = client;
    this.stream = stream;
    this.onPublication = onPublication;
  }

  public String channel() {
    return stream.channel;
  }

  /** Completes at the first {@code subscribed}; fails if the server refuses the channel for good. */
  public Future<Void> ready() {
    return client.handOver(stream.ready());
  }

  /** {@code subscribing}, {@code subscribed}, {@code failed} or {@code unsubscribed}. */
  public String status() {
    return active ? stream.status() : "unsubscribed";
  }

  /** The last applied position: what to resume from ({@code since}) in another process; {@code null} before. */
  public Position position() {
    return stream.position();
  }

  /** The state replica of a state channel (empty for a data channel). */
  public StateReplica state() {
    return stream.replica();
  }

  /**
   * Called with every reset: a {@code reset} push or {@code recovered:false}, with the fresh snapshot. A reset
   * that came before the first such listener (a subscribe's reply can beat it) is handed to that listener.
   */
  public Subscription onReset(Consumer<Reset> listener) {
    List<Reset> missed;
    synchronized (lock) {
      resets.add(listener);
      missed = List.copyOf(unheard);
      unheard.clear();
    }
    if (!missed.isEmpty()) {
      client.onClientContext(() -> missed.forEach(r -> call(listener, r)));
    }
    return this;
  }

  /**
   * Called after the replica changed: every entity, and the ids that changed (removed ones included). A
   * listener added once the replica has state (a subscribe's reply can beat the listener) is first called
   * with the replica as it is, every entity counted as changed, then with each later change.
   */
  public Subscription onState(BiConsumer<Map<String, JsonObject>, Set<String>> listener) {
    addStateListener(() -> states.add(listener), () -> {
      Map<String, JsonObject> all = stream.replica().entities();
      if (!all.isEmpty()) {
        callState(listener, all, Set.copyOf(all.keySet()));
      }
    });
    return this;
  }

  /** Called once per changed entity; added once the replica has state, first once per entity it holds. */
  public Subscription onChange(Consumer<EntityChange> listener) {
    addStateListener(() -> changes.add(listener), () -> {
      StateReplica replica = stream.replica();
      replica.changes(channel(), replica.entities().keySet()).forEach(c -> call(listener, c));
    });
    return this;
  }

  /** Called when this entity changes; added once the replica has state, first with the entity if it exists. */
  public Subscription onChange(String entity, Consumer<EntityChange> listener) {
    addStateListener(() -> entityChanges.computeIfAbsent(entity, e -> new CopyOnWriteArrayList<>()).add(listener),
        () -> {
          StateReplica replica = stream.replica();
          if (replica.entity(entity) != null) {
            replica.changes(channel(), Set.of(entity)).forEach(c -> call(listener, c));
          }
        });
    return this;
  }

  /**
   * Adds a state or change listener. Before the replica has changed it is added at once and hears every
   * change. After that it is added by a task of its own on the client's context, where changes are applied,
   * and told what the replica holds then: neither a change missed between the two nor one heard twice. The
   * task is never run inline, even on that context: a listener added while a change is being handed out
   * would otherwise hear it in the catch-up and again from the dispatch under way.
   */
  private void addStateListener(Runnable add, Runnable catchUp) {
    if (!active) {
      return;
    }
    synchronized (lock) {
      if (!stateSeen) {
        add.run();
        return;
      }
    }
    client.laterOnClientContext(() -> {
      if (active) {
        add.run();
        catchUp.run();
      }
    });
  }

  /** Called when the server refuses the channel for good ({@code forbidden}, {@code bad_request}). */
  public Subscription onError(Consumer<SyncwireException> listener) {
    errors.add(listener);
    return this;
  }

  /** Stops this handle; the channel is unsubscribed when no handle is left. */
  public Future<Void> unsubscribe() {
    if (!active) {
      return client.handOver(Future.succeededFuture());
    }
    active = false;
    return client.release(this);
  }

  /**
   * Once this handle hears the stream's changes: a replica that already has state (another handle of the
   * channel loaded it) counts as seen, so this handle's listeners catch up with it.
   */
  void joined() {
    boolean loaded = !stream.replica().entities().isEmpty();
    synchronized (lock) {
      stateSeen |= loaded;
    }
  }

  ChannelStream stream() {
    return stream;
  }

  void publication(Publication p) {
    if (active && onPublication != null) {
      call(onPublication, p);
    }
  }

  void reset(Reset r) {
    if (!active) {
      return;
    }
    synchronized (lock) {
      if (resets.isEmpty()) {
        if (unheard.size() == MAX_UNHEARD) {
          unheard.remove(0);
        }
        unheard.add(r);
        return;
      }
    }
    resets.forEach(l -> call(l, r));
  }

  void stateChanged(StateReplica replica, Set<String> ids, List<EntityChange> list) {
    if (!active) {
      return;
    }
    synchronized (lock) {
      stateSeen = true;
    }
    if (!states.isEmpty()) {
      Map<String, JsonObject> all = replica.entities();
      states.forEach(l -> callState(l, all, ids));
    }
    for (EntityChange c : list) {
      changes.forEach(l -> call(l, c));
      List<Consumer<EntityChange>> those = entityChanges.get(c.entity());
      if (those != null) {
        those.forEach(l -> call(l, c));
      }
    }
  }

  private void callState(BiConsumer<Map<String, JsonObject>, Set<String>> listener, Map<String, JsonObject> all,
                         Set<String> ids) {
    try {
      listener.accept(all, ids);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a state listener of " + channel() + " threw", e);
    }
  }

  void failed(SyncwireException e) {
    errors.forEach(l -> call(l, e));
  }

  private <T> void call(Consumer<T> listener, T value) {
    try {
      listener.accept(value);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a listener of " + channel() + " threw", e);
    }
  }
}
