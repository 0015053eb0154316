package dev.kairos.factory.oci.internal.sign;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl's {@code crypto_secretbox} (XSalsa20 + Poly1305), as Go's {@code x/crypto/nacl/secretbox}
 * seals and opens: the first 32 bytes of the XSalsa20 key stream are the one-time Poly1305 key,
 * the rest encrypts the message, and the sealed box is the 16-byte tag followed by the ciphertext.
 */
final class SecretBox {
  static final int KEY = 32;
  static final int NONCE = 24;
  static final int TAG = 16;

  private SecretBox() {}

  static byte[] seal(byte[] message, byte[] nonce, byte[] key) {
    XSalsa20Engine stream = stream(nonce, key);
    byte[] polyKey = polyKey(stream);
    byte[] out = new byte[TAG + message.length];
    stream.processBytes(message, 0, message.length, out, TAG);
    byte[] tag = mac(polyKey, out, TAG, message.length);
    System.arraycopy(tag, 0, out, 0, TAG);
    return out;
  }

  /** The message, or empty if the tag does not match (wrong key, or a changed box). */
  static Optional<byte[]> open(byte[] box, byte[] nonce, byte[] key) {
    if (box.length < TAG) {
      return Optional.empty();
    }
    XSalsa20Engine stream = stream(nonce, key);
    byte[] polyKey = polyKey(stream);
    byte[] tag = mac(polyKey, box, TAG, box.length - TAG);
    if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, TAG))) {
      return Optional.empty();
    }
    byte[] message = new byte[box.length - TAG];
    stream.processBytes(box, TAG, message.length, message, 0);
    return Optional.of(message);
  }

  private static XSalsa20Engine stream(byte[] nonce, byte[] key) {
    if (nonce.length != NONCE || key.length != KEY) {
      throw new IllegalArgumentException("secretbox needs a " + NONCE + "-byte nonce and a " + KEY + "-byte key");
    }
    XSalsa20Engine e = new XSalsa20Engine();
    e.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    return e;
  }

  private static byte[] polyKey(XSalsa20Engine stream) {
    byte[] k = new byte[32];
    stream.processBytes(new byte[32], 0, 32, k, 0);
    return k;
  }

  private static byte[] mac(byte[] polyKey, byte[] data, int off, int len) {
    Poly1305 p = new Poly1305();
    p.init(new KeyParameter(polyKey));
    p.update(data, off, len);
    byte[] tag = new byte[TAG];
    p.doFinal(tag, 0);
    return tag;
  }
}
