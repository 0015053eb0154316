package dev.kairos.factory.oci.api.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A DSSE envelope (the "Dead Simple Signing Envelope" that in-toto attestations and {@code cosign
 * attest} use): a payload, its type, and signatures over the envelope's pre-authentication
 * encoding {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}, so a signature cannot
 * be moved to a payload of another type.
 *
 * <pre>{@code
 * byte[] envelope = Dsse.sign(statementJson, Dsse.IN_TOTO_PAYLOAD, key);
 * byte[] statement = Dsse.verify(envelope, key.verificationKey(), "provenance.json");
 * }</pre>
 */
public final class Dsse {
  /** The payload type of an in-toto statement. */
  public static final String IN_TOTO_PAYLOAD = "application/vnd.in-toto+json";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Envelopes are small JSON documents; a larger one is refused before it is parsed. */
  private static final int MAX_ENVELOPE = 16 << 20;

  private Dsse() {}

  /** The envelope (JSON, UTF-8) holding {@code payload} of {@code payloadType}, signed by {@code key}. */
  public static byte[] sign(byte[] payload, String payloadType, SigningKey key) {
    ObjectNode env = JSON.createObjectNode();
    env.put("payloadType", payloadType);
    env.put("payload", Base64.getEncoder().encodeToString(payload));
    ObjectNode sig = env.putArray("signatures").addObject();
    sig.put("keyid", "");
    sig.put("sig", Base64.getEncoder().encodeToString(key.sign(pae(payloadType, payload))));
    return JSON.writeValueAsBytes(env);
  }

  /**
   * The payload of {@code envelope} once one of its signatures verifies with {@code key}.
   *
   * @param source what the envelope was read from, for messages
   * @throws InvalidInputException if it is not a DSSE envelope
   * @throws SignatureVerificationException ({@link SignatureVerificationException.Reason#OTHER_KEY})
   *     if no signature verifies with {@code key} (another key, or a changed payload or type)
   */
  public static byte[] verify(byte[] envelope, VerificationKey key, String source)
      throws InvalidInputException, SignatureVerificationException {
    if (envelope.length > MAX_ENVELOPE) {
      throw new InvalidInputException(source, "a DSSE envelope of " + envelope.length + " bytes (at most " + MAX_ENVELOPE + ")");
    }
    JsonNode env;
    byte[] payload;
    try {
      env = JSON.readTree(envelope);
      payload = Base64.getDecoder().decode(text(env, "payload", source));
    } catch (JacksonException | IllegalArgumentException e) {
      throw new InvalidInputException(source, "not a DSSE envelope: " + e.getMessage());
    }
    String type = text(env, "payloadType", source);
    byte[] pae = pae(type, payload);
    for (JsonNode s : env.path("signatures")) {
      try {
        if (key.verifies(pae, Base64.getDecoder().decode(s.path("sig").asString("")))) {
          return payload;
        }
      } catch (IllegalArgumentException e) {
        // A signature that is not base64 verifies nothing; another one may.
      }
    }
    throw new SignatureVerificationException(source, SignatureVerificationException.Reason.OTHER_KEY,
        "no signature of the envelope verifies with this key (made by another key, or over another payload)");
  }

  /** DSSE's pre-authentication encoding: what is actually signed. */
  static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + payload.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  private static String text(JsonNode env, String field, String source) throws InvalidInputException {
    JsonNode n = env.get(field);
    if (n == null || !n.isString()) {
      throw new InvalidInputException(source, "not a DSSE envelope: no " + field);
    }
    return n.asString();
  }
}
