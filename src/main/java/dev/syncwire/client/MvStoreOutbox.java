package dev.syncwire.client;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An outbox in a file, kept by H2's MVStore. One file holds the outboxes of any number of scopes (server,
 * tenant, user), one map each, named after a hash of the scope so that any scope makes a valid name; a meta
 * map keeps the scope itself next to it, for whoever inspects the file.
 *
 * <p>Every add and remove is committed before it returns, that is written to the file through the operating
 * system: it survives the process being killed, even with SIGKILL. A crash of the operating system or a power
 * loss may still lose the latest of them, unless the outbox was opened with {@code fsync}, which forces each
 * commit to the disk. That is off by default: it costs a flush of the disk's cache per call, from a fraction of
 * a millisecond to several depending on the disk, while the machine going down mostly takes the application's
 * own unsaved state with it as well.
 *
 * <p>While open, the file is locked against other processes: opening it there fails. Within one process the
 * outboxes of one file share one store, since a second store on the file would fail too, and closing the file
 * after that failed attempt would release the lock the first holds (a POSIX lock belongs to the process, and
 * closing any descriptor of the file drops it). The same scope cannot be open twice at a time: two writers of
 * one outbox would hand out the same ids.
 *
 * <p>No MVStore background thread: commits are explicit, and no compaction runs. Each commit writes a chunk of
 * some kilobytes, and the space of chunks that hold nothing live any more is reused at once (retention time 0).
 * MVStore's default keeps them 45 seconds, in case the operating system has not written the newer ones yet;
 * with a commit per call that grows the file by hundreds of megabytes under load. What a killed process
 * handed to the operating system is not lost, and with {@code fsync} it is on the disk before the next commit,
 * so neither needs the old chunks. Without {@code fsync}, a crash of the operating system may in the worst case
 * leave a file that no longer opens; {@link #open} then says so.
 */
final class MvStoreOutbox implements Outbox {
  private static final String META = "outbox.meta";
  // Guarded by itself: the stores open in this process, by real path.
  private static final Map<Path, SharedStore> OPEN = new HashMap<>();

  private final Path path;
  private final String name;
  private final SharedStore shared;
  private final MVMap<Long, Entry> map;
  private final boolean fsync;
  private long nextId;
  private boolean closed;

  private MvStoreOutbox(Path path, String scope, String name, SharedStore shared, boolean fsync) {
    this.path = path;
    this.name = name;
    this.shared = shared;
    this.fsync = fsync;
    this.map = shared.store.openMap(name,
        new MVMap.Builder<Long, Entry>().keyType(LongDataType.INSTANCE).valueType(EntryType.INSTANCE));
    Long last = map.lastKey();
    String next = shared.meta.get(name + ".next");
    nextId = Math.max(last == null ? 1 : last + 1, next == null ? 1 : Long.parseLong(next));
    if (!scope.equals(shared.meta.putIfAbsent(name + ".scope", scope))) {
      persist();
    }
  }

  /** Opens the outbox of {@code scope} in {@code file}, creating both as needed; commits without fsync. */
  static MvStoreOutbox open(Path file, String scope) {
    return open(file, scope, false);
  }

  /**
   * Opens the outbox of {@code scope} in {@code file}, creating both as needed.
   *
   * @param fsync whether each change is also forced to the disk, to survive a crash of the operating system
   * @throws IllegalStateException if the file is in use by another process, holds no store, or this scope is
   *                               open already
   */
  static MvStoreOutbox open(Path file, String scope, boolean fsync) {
    Objects.requireNonNull(scope, "scope");
    Path path = realPath(file);
    String name = mapName(scope);
    synchronized (OPEN) {
      SharedStore shared = OPEN.get(path);
      if (shared == null) {
        shared = SharedStore.open(path);
      } else if (shared.scopes.contains(name)) {
        throw new IllegalStateException("outbox " + path + " is already open in this process for this scope");
      }
      try {
        MvStoreOutbox outbox = new MvStoreOutbox(path, scope, name, shared, fsync);
        shared.scopes.add(name);
        OPEN.put(path, shared);
        return outbox;
      } catch (RuntimeException e) {
        if (shared.scopes.isEmpty()) {
          shared.store.closeImmediately();
        }
        throw new IllegalStateException("cannot open outbox " + path + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public synchronized List<Entry> write(List<Draft> adds, Collection<Long> removals) {
    List<Entry> added = new ArrayList<>(adds.size());
    for (Draft d : adds) {
      added.add(new Entry(0, Objects.requireNonNull(d.channel(), "channel"), Objects.requireNonNull(d.key(), "key"),
          Objects.requireNonNull(d.body(), "body"), d.expiresAt()));
    }
    checkOpen();
    for (int i = 0; i < added.size(); i++) {
      // Taken before the write: an id is never handed out twice, even when the write fails.
      Entry e = added.get(i);
      added.set(i, new Entry(nextId++, e.channel(), e.key(), e.body(), e.expiresAt()));
    }
    try {
      for (Entry e : added) {
        map.put(e.id(), e);
      }
      boolean changed = !added.isEmpty();
      for (long id : removals) {
        if (!map.containsKey(id)) {
          continue;
        }
        if (id == nextId - 1) {
          // The newest entry: without it the next id could no longer be told from the map after a reopen.
          shared.meta.put(name + ".next", Long.toString(nextId));
        }
        map.remove(id);
        changed = true;
      }
      if (changed) {
        persist();
      }
    } catch (MVStoreException e) {
      throw failure(added.isEmpty() ? "remove from" : "add to", e);
    }
    return added;
  }

  @Override
  public synchronized List<Entry> entries() {
    checkOpen();
    try {
      return List.copyOf(map.values());
    } catch (MVStoreException e) {
      throw failure("read", e);
    }
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (OPEN) {
      shared.scopes.remove(name);
      if (shared.scopes.isEmpty()) {
        OPEN.remove(path);
        try {
          shared.store.close();
        } catch (MVStoreException e) {
          throw failure("close", e);
        }
      }
    }
  }

  private void persist() {
    shared.store.commit();
    if (fsync) {
      shared.store.sync();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("outbox " + path + " is closed");
    }
  }

  private IllegalStateException failure(String what, MVStoreException e) {
    return new IllegalStateException("cannot " + what + " outbox " + path + ": " + e.getMessage(), e);
  }

  private static Path realPath(Path file) {
    Path absolute = file.toAbsolutePath();
    try {
      Files.createDirectories(absolute.getParent());
      return absolute.getParent().toRealPath().resolve(absolute.getFileName());
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the directory of outbox " + absolute + ": " + e, e);
    }
  }

  private static String mapName(String scope) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(scope.getBytes(StandardCharsets.UTF_8));
      return "outbox." + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }

  /** One open file and the scopes open in it. */
  private static final class SharedStore {
    final MVStore store;
    final MVMap<String, String> meta;
    final Set<String> scopes = new HashSet<>();

    private SharedStore(MVStore store) {
      this.store = store;
      this.meta = store.openMap(META);
    }

    static SharedStore open(Path path) {
      MVStore store;
      try {
        store = new MVStore.Builder().fileName(path.toString()).autoCommitDisabled().open();
        store.setRetentionTime(0);
      } catch (MVStoreException e) {
        if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
          throw new IllegalStateException("outbox " + path + " is in use by another process", e);
        }
        throw new IllegalStateException("cannot open outbox " + path + ": " + e.getMessage(), e);
      }
      try {
        return new SharedStore(store);
      } catch (RuntimeException e) {
        store.closeImmediately();
        throw new IllegalStateException("cannot open outbox " + path + ": " + e.getMessage(), e);
      }
    }
  }

  /** An entry as written to the file: a format byte, then id, channel, key, body and expiry. */
  private static final class EntryType extends BasicDataType<Entry> {
    static final EntryType INSTANCE = new EntryType();
    private static final byte FORMAT = 1;

    @Override
    public int getMemory(Entry e) {
      return 64 + 2 * (e.channel().length() + e.key().length() + e.body().length());
    }

    @Override
    public void write(WriteBuffer buff, Entry e) {
      buff.put(FORMAT).putVarLong(e.id());
      StringDataType.INSTANCE.write(buff, e.channel());
      StringDataType.INSTANCE.write(buff, e.key());
      StringDataType.INSTANCE.write(buff, e.body());
      buff.putLong(e.expiresAt());
    }

    @Override
    public Entry read(ByteBuffer buff) {
      byte format = buff.get();
      if (format != FORMAT) {
        throw new IllegalStateException("outbox entry in an unknown format: " + format);
      }
      long id = DataUtils.readVarLong(buff);
      String channel = DataUtils.readString(buff);
      String key = DataUtils.readString(buff);
      String body = DataUtils.readString(buff);
      return new Entry(id, channel, key, body, buff.getLong());
    }

    @Override
    public Entry[] createStorage(int size) {
      return new Entry[size];
    }
  }
}
