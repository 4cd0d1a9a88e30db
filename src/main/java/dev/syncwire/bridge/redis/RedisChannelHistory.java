package dev.syncwire.bridge.redis;

import dev.syncwire.broker.LogStore;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.StoredLog;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Channel logs kept in Redis ({@code history.store} = {@code redis}), so that a channel's epoch, position,
 * history and state outlive every node. Per channel: a stream {@code syncwire:{tenant/channel}:log} with
 * one entry per publication (id {@code <seq>-0}, fields {@code t} accepted at, {@code k} key, {@code d}
 * data or {@code p} patch), trimmed with {@code MAXLEN ~} to the history size; and a hash
 * {@code syncwire:{tenant/channel}:meta} with {@code epoch}, {@code seq} and the state's snapshot.
 * Each write is one script, so the position and the entries never disagree; Redis itself refuses a write
 * that would leave a hole ({@link LogStore.Gap}). The channel's owner writes; any node may read.
 */
public final class RedisChannelHistory implements LogStore {
  /** How long the keys of a channel outlive its last write, beyond its history's and dedup window's ages. */
  static final long KEY_SLACK_MS = 60_000;

  private final RedisLink link;
  private final Script append = Script.load("append.lua");
  private final Script load = Script.load("load.lua");

  public RedisChannelHistory(RedisLink link) {
    this.link = link;
  }

  @Override
  public boolean available() {
    return link.isUp();
  }

  public RedisLink link() {
    return link;
  }

  static String metaKey(ChannelId id) {
    return "syncwire:{" + id.tenant() + "/" + id.name() + "}:meta";
  }

  static String streamKey(ChannelId id) {
    return "syncwire:{" + id.tenant() + "/" + id.name() + "}:log";
  }

  /**
   * Writes {@code pubs} (consecutive, of {@code epoch}) after what Redis holds of the channel; those it
   * already holds are skipped (see {@link LogStore#append}).
   *
   * @return the seq Redis now holds; fails with {@link LogStore.Gap} or {@link RedisUnavailableException}
   */
  @Override
  public Future<Long> append(ChannelId id, ChannelSettings settings, String epoch, List<Publication> pubs,
                             long[] acceptedAtMs, String snapshot, boolean restartIfBehind) {
    List<String> args = new ArrayList<>(6 + pubs.size() * 5);
    args.add(epoch);
    args.add(Long.toString(Math.max(settings.historyTtlMs(), settings.dedupWindowMs()) + KEY_SLACK_MS));
    args.add(Integer.toString(settings.historySize()));
    args.add(snapshot == null ? "" : snapshot);
    args.add(restartIfBehind ? "1" : "0");
    args.add(Integer.toString(pubs.size()));
    for (int i = 0; i < pubs.size(); i++) {
      Publication p = pubs.get(i);
      args.add(Long.toString(p.seq()));
      args.add(Long.toString(acceptedAtMs[i]));
      args.add(p.key() == null ? "" : p.key());
      args.add(p.dataJson() != null ? "d" : "p");
      args.add(p.dataJson() != null ? p.dataJson() : p.patchJson());
    }
    return append.run(link, List.of(metaKey(id), streamKey(id)), args).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(ar.result().toLong());
      }
      String message = String.valueOf(ar.cause().getMessage());
      if (message.startsWith("GAP ")) {
        return Future.failedFuture(new LogStore.Gap(Long.parseLong(message.substring(4).trim())));
      }
      return Future.failedFuture(ar.cause());
    });
  }

  /**
   * What Redis holds of the channel, with ages measured from {@code wallNowMs}: its position, up to the
   * history size of its newest publications and its state; null when Redis holds nothing of it.
   */
  @Override
  public Future<StoredLog> load(ChannelId id, ChannelSettings settings, long wallNowMs) {
    return load.run(link, List.of(metaKey(id), streamKey(id)), List.of(Integer.toString(settings.historySize())))
        .map(r -> parse(r, wallNowMs));
  }

  private static StoredLog parse(Response r, long wallNowMs) {
    Response meta = r.get(0);
    if (meta == null || meta.size() == 0) {
      return null;
    }
    String epoch = null;
    String state = null;
    long seq = 0;
    for (int i = 0; i + 1 < meta.size(); i += 2) {
      String field = meta.get(i).toString();
      Response value = meta.get(i + 1);
      switch (field) {
        case "epoch" -> epoch = value.toString();
        case "seq" -> seq = Long.parseLong(value.toString());
        case "state" -> state = value.toString();
        default -> {
        }
      }
    }
    if (epoch == null) {
      return null;
    }
    Response entries = r.get(1);
    int n = entries == null ? 0 : entries.size();
    List<Publication> tail = new ArrayList<>(n);
    List<Long> ages = new ArrayList<>(n);
    // Newest first from Redis: read backwards to keep seq order.
    for (int i = n - 1; i >= 0; i--) {
      Response entry = entries.get(i);
      String entryId = entry.get(0).toString();
      long entrySeq = Long.parseLong(entryId.substring(0, entryId.indexOf('-')));
      Response fields = entry.get(1);
      long at = wallNowMs;
      String key = null;
      String data = null;
      String patch = null;
      for (int f = 0; f + 1 < fields.size(); f += 2) {
        String value = fields.get(f + 1).toString(StandardCharsets.UTF_8);
        switch (fields.get(f).toString()) {
          case "t" -> at = Long.parseLong(value);
          case "k" -> key = value;
          case "d" -> data = value;
          case "p" -> patch = value;
          default -> {
          }
        }
      }
      tail.add(new Publication(epoch, entrySeq, key, data, patch));
      ages.add(Math.max(0, wallNowMs - at));
    }
    return new StoredLog(epoch, seq, tail, ages, state);
  }

  /** A Lua script run by its SHA-1, sent whole only when Redis does not have it yet. */
  private record Script(String source, String sha) {
    static Script load(String name) {
      try (InputStream in = RedisChannelHistory.class.getResourceAsStream("/redis/" + name)) {
        if (in == null) {
          throw new IllegalStateException("missing resource /redis/" + name);
        }
        String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
        return new Script(source, HexFormat.of().formatHex(digest));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    Future<Response> run(RedisLink link, List<String> keys, List<String> args) {
      return link.send(request(Command.EVALSHA, sha, keys, args)).recover(e -> {
        if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
          return link.send(request(Command.EVAL, source, keys, args));
        }
        return Future.failedFuture(e);
      });
    }

    private static Request request(Command command, String script, List<String> keys, List<String> args) {
      Request request = Request.cmd(command).arg(script).arg(keys.size());
      keys.forEach(request::arg);
      args.forEach(request::arg);
      return request;
    }
  }
}
