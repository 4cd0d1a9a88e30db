package dev.syncwire.admin;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The admin key a request presents in its {@code Authorization} header: {@code Bearer <key>} from programs,
 * or HTTP Basic with the key as the password (any user name) from browsers, which cannot put a bearer
 * header on a page load or an {@code EventSource} but do resend cached Basic credentials.
 */
final class AdminCredentials {
  /** The challenge of a refusal on the dashboard: the browser asks for credentials once and caches them. */
  static final String BASIC_CHALLENGE = "Basic realm=\"syncwire admin\"";

  private static final byte[] NONE = new byte[0];

  private AdminCredentials() {
  }

  /** The key presented, or an empty array, which never equals a configured key (an empty key disables the API). */
  static byte[] presentedKey(String authorization) {
    if (authorization == null) {
      return NONE;
    }
    if (authorization.startsWith("Bearer ")) {
      return authorization.substring(7).getBytes(StandardCharsets.UTF_8);
    }
    if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon < 0 ? NONE : pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException notBase64) {
        return NONE;
      }
    }
    return NONE;
  }
}
