package dev.syncwire.config;

import io.netty.util.NetUtil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An IP address or a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}), IPv4 or IPv6. */
public final class AddressRange {
  private final byte[] network;
  private final int prefixBits;

  private AddressRange(byte[] network, int prefixBits) {
    this.network = network;
    this.prefixBits = prefixBits;
  }

  /**
   * Parses one address or block; bits past the prefix are ignored ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}).
   *
   * @throws ConfigException naming {@code key} when {@code text} is neither
   */
  public static AddressRange parse(String key, String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    byte[] address = NetUtil.createByteArrayFromIpAddressString(slash < 0 ? t : t.substring(0, slash));
    if (address == null) {
      throw invalid(key, text);
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw invalid(key, text);
      }
      if (prefix < 0 || prefix > bits) {
        throw invalid(key, text);
      }
    }
    for (int i = 0; i < address.length; i++) {
      address[i] &= mask(i, prefix);
    }
    return new AddressRange(address, prefix);
  }

  /** Parses every entry of a list key. */
  public static List<AddressRange> parseAll(String key, List<String> entries) {
    List<AddressRange> out = new ArrayList<>(entries.size());
    for (String entry : entries) {
      out.add(parse(key, entry));
    }
    return List.copyOf(out);
  }

  /** Whether {@code ip}, an address literal, lies in this range; anything else does not. */
  public boolean contains(String ip) {
    byte[] address = ip == null ? null : NetUtil.createByteArrayFromIpAddressString(ip);
    if (address == null) {
      return false;
    }
    if (address.length == 16 && network.length == 4 && isIpv4Mapped(address)) {
      address = Arrays.copyOfRange(address, 12, 16);
    }
    if (address.length != network.length) {
      return false;
    }
    for (int i = 0; i < address.length; i++) {
      if ((address[i] & mask(i, prefixBits)) != network[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv4Mapped(byte[] address) {
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
  }

  // The mask of byte i under a prefix of that many bits.
  private static byte mask(int i, int prefixBits) {
    int bits = Math.max(0, Math.min(8, prefixBits - i * 8));
    return (byte) (0xff00 >>> bits);
  }

  private static ConfigException invalid(String key, String text) {
    return new ConfigException(key, "must list IP addresses or CIDR blocks such as 10.0.0.0/8", text);
  }

  @Override
  public String toString() {
    return NetUtil.bytesToIpAddress(network) + "/" + prefixBits;
  }
}
