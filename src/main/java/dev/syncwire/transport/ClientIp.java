package dev.syncwire.transport;

import dev.syncwire.config.AddressRange;
import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * The address a client's sessions are counted against: the socket's peer, or, when the peer is one of
 * {@code http.trustedProxies}, the client that {@code X-Forwarded-For} names. That header is read from
 * the right: each proxy appends the address it received the request from, so the first hop that is not
 * a trusted proxy is the client, and whatever a client wrote into the header itself is never reached.
 */
public final class ClientIp {
  static final String FORWARDED_FOR = "X-Forwarded-For";

  private final List<AddressRange> trustedProxies;

  public ClientIp(List<AddressRange> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /** The client address of {@code request}. */
  public String of(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String peerIp = peer == null || peer.hostAddress() == null ? "" : peer.hostAddress();
    if (trustedProxies.isEmpty()) {
      return canonical(peerIp);
    }
    return resolve(peerIp, request.headers().getAll(FORWARDED_FOR));
  }

  /** The client behind {@code peer}, given the {@code X-Forwarded-For} header values in the order received. */
  String resolve(String peer, List<String> forwardedFor) {
    String client = canonical(peer);
    if (!trusted(client)) {
      return client;
    }
    List<String> hops = new ArrayList<>();
    for (String value : forwardedFor) {
      for (String hop : value.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      client = canonical(withoutPort(hops.get(i)));
      if (!trusted(client)) {
        break;
      }
    }
    return client;
  }

  private boolean trusted(String ip) {
    for (AddressRange range : trustedProxies) {
      if (range.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  // Some proxies write "1.2.3.4:5678" or "[2001:db8::1]:443".
  private static String withoutPort(String hop) {
    if (hop.startsWith("[")) {
      int end = hop.indexOf(']');
      return end > 0 ? hop.substring(1, end) : hop;
    }
    int colon = hop.indexOf(':');
    return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
  }

  // One spelling per address, so that "::1" and "0:0:0:0:0:0:0:1" count as one client.
  private static String canonical(String ip) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
    return bytes == null ? ip : NetUtil.bytesToIpAddress(bytes);
  }
}
