package dev.syncwire.protocol;

/** Channel-name rules: 1-128 characters of {@code A-Z a-z 0-9 _ - . : @}. */
public final class ChannelNames {
  public static final int MAX_LENGTH = 128;

  private ChannelNames() {
  }

  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isAllowed(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Returns {@code name} if valid, else throws a {@code bad_request}. */
  public static String require(String name) {
    if (!isValid(name)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST,
          "channel must be 1-" + MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . : @");
    }
    return name;
  }

  private static boolean isAllowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '-' || c == '.' || c == ':' || c == '@';
  }
}
