package dev.kairos.factory.boot.api.gpt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** Name-based (version 5) UUIDs and the on-disk "mixed-endian" GUID encoding of UEFI. */
public final class Guids {
  /** The RFC 4122 URL namespace, which Kairos uses for its disk and partition GUIDs. */
  public static final UUID URL_NAMESPACE = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

  private Guids() {
  }

  /** UUIDv5 (SHA-1) of {@code name} in {@code namespace}, e.g. {@code v5(URL_NAMESPACE, "KAIROS_DISK")}. */
  public static UUID v5(UUID namespace, String name) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      ByteBuffer ns = ByteBuffer.allocate(16);
      ns.putLong(namespace.getMostSignificantBits()).putLong(namespace.getLeastSignificantBits());
      sha1.update(ns.array());
      byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x50);
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
      return new UUID(b.getLong(), b.getLong());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  /** The 16 bytes of {@code guid} as UEFI stores them: the first three fields little-endian. */
  public static byte[] toMixedEndian(UUID guid) {
    ByteBuffer be = ByteBuffer.allocate(16);
    be.putLong(guid.getMostSignificantBits()).putLong(guid.getLeastSignificantBits());
    byte[] b = be.array();
    ByteBuffer out = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer in = ByteBuffer.wrap(b);
    out.putInt(in.getInt()).putShort(in.getShort()).putShort(in.getShort());
    out.put(b, 8, 8);
    return out.array();
  }

  /** The GUID stored at {@code offset} of {@code bytes} as UEFI stores them (the inverse of {@link #toMixedEndian}). */
  public static UUID fromMixedEndian(byte[] bytes, int offset) {
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, 16).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer be = ByteBuffer.allocate(16);
    be.putInt(in.getInt()).putShort(in.getShort()).putShort(in.getShort());
    be.put(bytes, offset + 8, 8).flip();
    return new UUID(be.getLong(), be.getLong());
  }
}
