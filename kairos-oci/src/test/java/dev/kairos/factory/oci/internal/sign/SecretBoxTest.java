package dev.kairos.factory.oci.internal.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static final HexFormat HEX = HexFormat.of();
  // The crypto_secretbox test vector of NaCl's tests/secretbox.c (also in Go's x/crypto tests).
  private static final byte[] KEY = HEX.parseHex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
  private static final byte[] NONCE = HEX.parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
  private static final byte[] MESSAGE = HEX.parseHex("be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc"
      + "e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa134"
      + "8057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f9"
      + "37763848645e0705");

  @Test
  void matchesNaClsVector() {
    byte[] box = SecretBox.seal(MESSAGE, NONCE, KEY);
    assertThat(HEX.formatHex(box)).startsWith("f3ffc7703f9400e52a7dfb4b3d3305d9" + "8e993b9f48681273c29650ba32fc76ce");
    assertThat(box).hasSize(MESSAGE.length + SecretBox.TAG);
    assertThat(SecretBox.open(box, NONCE, KEY)).hasValue(MESSAGE);
  }

  @Test
  void aChangedByteFailsTheTag() {
    byte[] box = SecretBox.seal(MESSAGE, NONCE, KEY);
    box[40] ^= 1;
    assertThat(SecretBox.open(box, NONCE, KEY)).isEmpty();
  }
}
