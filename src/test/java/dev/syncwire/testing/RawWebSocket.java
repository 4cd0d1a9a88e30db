package dev.syncwire.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain socket, for tests that need exact control over frames: it never answers
 * pings by itself, can stop reading, and can send frames no library would (oversized, unmasked,
 * compressed by hand).
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int TEXT = 1;
  public static final int BINARY = 2;
  public static final int CLOSE = 8;
  public static final int PING = 9;
  public static final int PONG = 10;

  /** One received frame. {@code opcode} -1 means the connection ended without a frame. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame, or -1. */
    public int closeCode() {
      return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  public final int status;
  public final Map<String, String> headers;

  private RawWebSocket(Socket socket, int status, Map<String, String> headers) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.status = status;
    this.headers = headers;
  }

  public static RawWebSocket connect(int port, Map<String, String> extraHeaders) {
    return connect(port, extraHeaders, 0);
  }

  /** Opens a socket and sends the upgrade request; {@code receiveBuffer} > 0 shrinks the socket's buffer. */
  public static RawWebSocket connect(int port, Map<String, String> extraHeaders, int receiveBuffer) {
    try {
      Socket socket = new Socket();
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      byte[] nonce = new byte[16];
      RANDOM.nextBytes(nonce);
      StringBuilder req = new StringBuilder()
          .append("GET /ws HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
          .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
          .append("Sec-WebSocket-Version: 13\r\n");
      extraHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      req.append("\r\n");
      socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
      InputStream raw = socket.getInputStream();
      String statusLine = readLine(raw);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      String line;
      while (!(line = readLine(raw)).isEmpty()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      return new RawWebSocket(socket, status, headers);
    } catch (IOException e) {
      throw new AssertionError("raw connect failed", e);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new EOFException("connection closed during handshake");
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  public void sendText(String text) {
    sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8), true, false);
  }

  public void sendFrame(int opcode, byte[] payload) {
    sendFrame(opcode, payload, true, false);
  }

  /** Sends one masked frame; {@code rsv1} marks it compressed (permessage-deflate). */
  public void sendFrame(int opcode, byte[] payload, boolean fin, boolean rsv1) {
    try {
      out.write(frame(opcode, payload, fin, rsv1));
      out.flush();
    } catch (IOException e) {
      throw new AssertionError("send failed", e);
    }
  }

  /**
   * Writes bytes as they are, for a writer on another thread; false once the connection is gone (never
   * throws, so that a background writer asserts nothing).
   */
  public boolean trySend(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** One masked frame as bytes. */
  public static byte[] frame(int opcode, byte[] payload, boolean fin, boolean rsv1) {
    try {
      ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
      f.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
      int len = payload.length;
      if (len < 126) {
        f.write(0x80 | len);
      } else if (len < 65536) {
        f.write(0x80 | 126);
        f.write(len >>> 8);
        f.write(len & 0xff);
      } else {
        f.write(0x80 | 127);
        for (int i = 7; i >= 0; i--) {
          f.write((int) (((long) len >>> (8 * i)) & 0xff));
        }
      }
      byte[] mask = new byte[4];
      RANDOM.nextBytes(mask);
      f.write(mask);
      for (int i = 0; i < len; i++) {
        f.write(payload[i] ^ mask[i & 3]);
      }
      return f.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the next frame, or a frame with opcode -1 at end of stream or on a reset. */
  public Frame readFrame(int timeoutMs) {
    try {
      socket.setSoTimeout(timeoutMs);
      int b0 = in.read();
      if (b0 == -1) {
        return new Frame(-1, new byte[0]);
      }
      int b1 = in.readUnsignedByte();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      return new Frame(b0 & 0x0f, payload);
    } catch (SocketTimeoutException e) {
      return null;
    } catch (EOFException e) {
      return new Frame(-1, new byte[0]);
    } catch (IOException e) {
      return new Frame(-1, new byte[0]);
    }
  }

  /** Reads frames until a close frame or the end of the stream; returns that last frame. */
  public Frame readUntilClosed(int timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Frame f = readFrame((int) Math.max(1, deadline - System.currentTimeMillis()));
      if (f == null) {
        break;
      }
      if (f.opcode() == CLOSE || f.opcode() == -1) {
        return f;
      }
    }
    throw new AssertionError("connection not closed within " + timeoutMs + " ms");
  }

  /** Reads frames until one of {@code opcode} arrives (null on timeout). */
  public Frame readUntil(int opcode, int timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Frame f = readFrame((int) Math.max(1, deadline - System.currentTimeMillis()));
      if (f == null || f.opcode() == -1) {
        return f;
      }
      if (f.opcode() == opcode) {
        return f;
      }
    }
    return null;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
