package dev.syncwire.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange on a plain socket, for requests no client library sends as they are (no
 * {@code Host}, a body after {@code Expect: 100-continue}, a chunked body), the way {@code curl} does.
 * Each exchange asks the server to close the connection after its answer.
 */
public final class RawHttp {
  /** An answer: status, headers (lower-case names) and body. */
  public record Response(int status, Map<String, String> headers, String body) {
  }

  private RawHttp() {
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line), then {@code body} if not null:
   * after a {@code 100 Continue} when {@code expectContinue}, in chunks of 8 KiB when {@code chunked},
   * else with its {@code Content-Length}.
   */
  public static Response exchange(int port, String head, byte[] body, boolean expectContinue, boolean chunked) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      StringBuilder h = new StringBuilder(head).append("\r\nConnection: close\r\n");
      if (body != null) {
        h.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
      }
      if (expectContinue) {
        h.append("Expect: 100-continue\r\n");
      }
      out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      if (expectContinue) {
        Response interim = readHead(in);
        if (interim.status() != 100) {
          return readRest(in, interim);
        }
      }
      if (body != null) {
        writeBody(out, body, chunked);
      }
      return readRest(in, readHead(in));
    } catch (IOException e) {
      throw new AssertionError("HTTP exchange failed", e);
    }
  }

  private static void writeBody(OutputStream out, byte[] body, boolean chunked) throws IOException {
    if (!chunked) {
      out.write(body);
    } else {
      for (int off = 0; off < body.length; off += 8192) {
        int len = Math.min(8192, body.length - off);
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, off, len);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.flush();
  }

  private static Response readHead(InputStream in) throws IOException {
    String status = line(in);
    Map<String, String> headers = new LinkedHashMap<>();
    String l;
    while (!(l = line(in)).isEmpty()) {
      int colon = l.indexOf(':');
      headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
          (a, b) -> a + ", " + b);
    }
    return new Response(Integer.parseInt(status.split(" ")[1]), headers, "");
  }

  private static Response readRest(InputStream in, Response head) throws IOException {
    String length = head.headers().get("content-length");
    byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
    return new Response(head.status(), head.headers(), new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("connection closed before an answer");
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
