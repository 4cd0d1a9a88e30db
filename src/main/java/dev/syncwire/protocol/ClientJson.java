package dev.syncwire.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reader of JSON that clients send: WebSocket text frames, the JSON fields of binary frames,
 * {@code POST /send} bodies and admin API bodies. Whatever it accepts the server can pass on unchanged,
 * so it is stricter than the Vert.x reader in three ways:
 * <ul>
 *   <li>comments ({@code /* *}{@code /}, {@code //}) are refused: they are not JSON;</li>
 *   <li>a number must survive the trip to clients that read it as a 64-bit integer or double: an integer
 *       must fit in 64 bits, and any other number must be what a double holds ({@code 1e400} would become
 *       {@code Infinity}, {@code 0.1000000000000000000001} would become {@code 0.1});</li>
 *   <li>strings and names must not hold an unpaired UTF-16 surrogate (the escape of a high surrogate
 *       without the low one after it), which no UTF-8 encoder can write.</li>
 * </ul>
 * Values come out as Vert.x JSON types: {@link JsonObject}, {@link JsonArray}, {@code String},
 * {@code Integer} or {@code Long}, {@link BigDecimal} for other numbers (a {@code Double} for zero),
 * {@code Boolean} and {@code null}.
 */
public final class ClientJson {
  private static final JsonFactory STRICT = JsonFactory.builder().build();
  private static final JsonFactory WITH_COMMENTS = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
  /** Significant digits that tell every 64-bit double apart. */
  private static final int MAX_DOUBLE_DIGITS = 17;
  private static final int QUOTED_NUMBER_CHARS = 40;

  private ClientJson() {
  }

  /**
   * JSON a client sent that the server refuses ({@code bad_request}). {@link #partial()} is the value as
   * far as it could be read (refused numbers and strings read as {@code null}), so that a caller can still
   * find a command's {@code id}; it is {@code null} when the text is not JSON at all.
   */
  public static final class Refused extends ProtocolException {
    private final transient Object partial;

    Refused(String message, Object partial) {
      super(ErrorCode.BAD_REQUEST, message);
      this.partial = partial;
    }

    public Object partial() {
      return partial;
    }
  }

  /** Reads one JSON value. */
  public static Object parse(String text) {
    return parse(text, null);
  }

  /** Reads one JSON value from UTF-8 bytes (invalid UTF-8 is not JSON). */
  public static Object parse(byte[] utf8) {
    return parse(null, utf8);
  }

  private static Object parse(String text, byte[] utf8) {
    try {
      return read(STRICT, text, utf8);
    } catch (IOException notStrictJson) {
      // Refused by the strict parser: if comments are all that is wrong, say so and keep what was read.
      Object partial;
      try {
        partial = read(WITH_COMMENTS, text, utf8);
      } catch (Refused alsoRefused) {
        partial = alsoRefused.partial();
      } catch (IOException notJson) {
        throw new Refused("not valid JSON", null);
      }
      throw new Refused("comments are not allowed in JSON", partial);
    }
  }

  private static Object read(JsonFactory factory, String text, byte[] utf8) throws IOException {
    try (JsonParser parser = text != null ? factory.createParser(text) : factory.createParser(utf8)) {
      Reader reader = new Reader(parser);
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new IOException("no JSON value");
      }
      Object value = reader.value(first);
      if (parser.nextToken() != null) {
        throw new IOException("text after the JSON value");
      }
      if (reader.problem != null) {
        throw new Refused(reader.problem, value);
      }
      return value;
    }
  }

  /** Builds the value, noting the first thing that cannot be carried and reading on past it. */
  private static final class Reader {
    private final JsonParser parser;
    String problem;

    Reader(JsonParser parser) {
      this.parser = parser;
    }

    Object value(JsonToken token) throws IOException {
      switch (token) {
        case START_OBJECT: {
          Map<String, Object> fields = new LinkedHashMap<>();
          String name;
          while ((name = parser.nextFieldName()) != null) {
            fields.put(checked(name), value(parser.nextToken()));
          }
          return new JsonObject(fields);
        }
        case START_ARRAY: {
          List<Object> items = new ArrayList<>();
          JsonToken next;
          while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
            items.add(value(next));
          }
          return new JsonArray(items);
        }
        case VALUE_STRING:
          return checked(parser.getText());
        case VALUE_NUMBER_INT:
          return integer();
        case VALUE_NUMBER_FLOAT:
          return floating();
        case VALUE_TRUE:
          return Boolean.TRUE;
        case VALUE_FALSE:
          return Boolean.FALSE;
        case VALUE_NULL:
          return null;
        default:
          throw new IOException("unexpected " + token);
      }
    }

    private Object integer() throws IOException {
      switch (parser.getNumberType()) {
        case INT:
          return parser.getIntValue();
        case LONG:
          return parser.getLongValue();
        default:
          refuse("integer " + quote(parser.getText()) + " does not fit in 64 bits");
          return null;
      }
    }

    /**
     * A number with a fraction or an exponent. Refused unless a 64-bit double holds it: at most 17
     * significant digits, and the same value as the double nearest to it rounded to that many digits
     * (so a client that reads it as a double and writes it back with as many digits gets it back). It
     * comes out as the decimal sent ({@link BigDecimal}, which the Vert.x encoder writes as is rather than
     * through a double); a zero stays a double, to keep its sign.
     */
    private Object floating() throws IOException {
      String text = parser.getText();
      double d = Double.parseDouble(text);
      BigDecimal exact = decimal(text);
      if (exact != null && exact.signum() == 0) {
        return d;
      }
      int digits = exact == null ? 0 : exact.stripTrailingZeros().precision();
      if (exact == null || !Double.isFinite(d) || d == 0 || digits > MAX_DOUBLE_DIGITS
          || exact.compareTo(new BigDecimal(d).round(new MathContext(digits, RoundingMode.HALF_EVEN))) != 0) {
        refuse("number " + quote(text) + " cannot be carried exactly by a 64-bit floating-point number");
        return null;
      }
      return exact;
    }

    private static BigDecimal decimal(String text) {
      try {
        return new BigDecimal(text);
      } catch (NumberFormatException exponentBeyondInt) {
        return null;
      }
    }

    private String checked(String s) {
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        if (Character.isSurrogate(c)) {
          if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
            i++;
          } else {
            refuse("text holds an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(c) + ")");
            return null;
          }
        }
      }
      return s;
    }

    private void refuse(String message) {
      if (problem == null) {
        problem = message;
      }
    }

    private static String quote(String number) {
      return number.length() <= QUOTED_NUMBER_CHARS ? number : number.substring(0, QUOTED_NUMBER_CHARS) + "...";
    }
  }
}
