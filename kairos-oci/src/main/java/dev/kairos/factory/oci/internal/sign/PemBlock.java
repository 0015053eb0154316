package dev.kairos.factory.oci.internal.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One PEM block: its type (the word after BEGIN) and its bytes; written with 64-column lines as Go's encoding/pem does. */
public record PemBlock(String type, byte[] bytes) {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*\\R(.*?)-----END \\1-----", Pattern.DOTALL);

  /** The first PEM block in {@code text}; {@code source} names it in errors. */
  public static PemBlock parse(String text, String source) throws InvalidInputException {
    Matcher m = BLOCK.matcher(text);
    if (!m.find()) {
      throw new InvalidInputException(source, "not a PEM file (no -----BEGIN ...----- / -----END ...----- block)");
    }
    String body = m.group(2);
    if (body.contains(":")) {
      throw new InvalidInputException(source, "PEM headers (" + m.group(1) + " with Proc-Type/DEK-Info) are not supported");
    }
    try {
      return new PemBlock(m.group(1), Base64.getMimeDecoder().decode(body.replaceAll("\\s", "")));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(source, "the " + m.group(1) + " block is not valid base64: " + e.getMessage());
    }
  }

  /** The block as text, ending with a newline. */
  public String text() {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }
}
