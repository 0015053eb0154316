package dev.kairos.factory.core.internal.yip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;

/**
 * SHA-512 crypt ({@code $6$}), the password hash of glibc's {@code crypt(3)}, written from Ulrich
 * Drepper's published specification ("Unix crypt using SHA-256 and SHA-512"): the salt is at most
 * 16 characters, the default is 5000 rounds with no {@code rounds=} field, and the 64-byte digest
 * is written in the specification's byte order with the crypt base-64 alphabet.
 */
public final class Sha512Crypt {
  private static final String ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String SALT_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final int DEFAULT_ROUNDS = 5000;
  /** Groups of three digest bytes, in output order. */
  private static final int[][] ORDER = {
      {0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48},
      {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13},
      {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}};

  private Sha512Crypt() {}

  /** Hashes {@code password} with a new 8-character salt from {@code [0-9a-zA-Z]}, as yip does. */
  public static String hash(String password, Random random) {
    char[] salt = new char[8];
    for (int i = 0; i < salt.length; i++) {
      salt[i] = SALT_CHARS.charAt(random.nextInt(SALT_CHARS.length()));
    }
    return crypt(password, "$6$" + new String(salt));
  }

  /**
   * {@code crypt(password, setting)} for a {@code $6$} setting: {@code $6$salt} or
   * {@code $6$rounds=N$salt} (an optional trailing {@code $...} is ignored).
   */
  public static String crypt(String password, String setting) {
    if (!setting.startsWith("$6$")) {
      throw new IllegalArgumentException("not a SHA-512 crypt setting: " + setting);
    }
    String rest = setting.substring(3);
    int rounds = DEFAULT_ROUNDS;
    boolean explicitRounds = false;
    if (rest.startsWith("rounds=")) {
      int end = rest.indexOf('$');
      if (end < 0) {
        throw new IllegalArgumentException("rounds= without a salt: " + setting);
      }
      long r = Long.parseLong(rest.substring(7, end));
      rounds = (int) Math.max(1000, Math.min(999_999_999L, r));
      explicitRounds = true;
      rest = rest.substring(end + 1);
    }
    int dollar = rest.indexOf('$');
    String saltText = dollar < 0 ? rest : rest.substring(0, dollar);
    if (saltText.length() > 16) {
      saltText = saltText.substring(0, 16);
    }
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    byte[] salt = saltText.getBytes(StandardCharsets.UTF_8);

    MessageDigest b = sha512();
    b.update(pw);
    b.update(salt);
    b.update(pw);
    byte[] bDigest = b.digest();

    MessageDigest a = sha512();
    a.update(pw);
    a.update(salt);
    addRepeated(a, bDigest, pw.length);
    for (int n = pw.length; n > 0; n >>= 1) {
      a.update((n & 1) != 0 ? bDigest : pw);
    }
    byte[] aDigest = a.digest();

    MessageDigest dp = sha512();
    for (int i = 0; i < pw.length; i++) {
      dp.update(pw);
    }
    byte[] p = repeatTo(dp.digest(), pw.length);

    MessageDigest ds = sha512();
    for (int i = 0; i < 16 + (aDigest[0] & 0xff); i++) {
      ds.update(salt);
    }
    byte[] s = repeatTo(ds.digest(), salt.length);

    byte[] c = aDigest;
    MessageDigest md = sha512();
    for (int i = 0; i < rounds; i++) {
      md.update((i & 1) != 0 ? p : c);
      if (i % 3 != 0) {
        md.update(s);
      }
      if (i % 7 != 0) {
        md.update(p);
      }
      md.update((i & 1) != 0 ? c : p);
      c = md.digest();
    }
    Arrays.fill(p, (byte) 0);

    StringBuilder out = new StringBuilder("$6$");
    if (explicitRounds) {
      out.append("rounds=").append(rounds).append('$');
    }
    out.append(saltText).append('$');
    for (int[] g : ORDER) {
      encode(out, c[g[0]], c[g[1]], c[g[2]], 4);
    }
    encode(out, (byte) 0, (byte) 0, c[63], 2);
    return out.toString();
  }

  private static void addRepeated(MessageDigest md, byte[] block, int length) {
    int n = length;
    while (n > block.length) {
      md.update(block);
      n -= block.length;
    }
    md.update(block, 0, n);
  }

  private static byte[] repeatTo(byte[] block, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = block[i % block.length];
    }
    return out;
  }

  private static void encode(StringBuilder out, byte b2, byte b1, byte b0, int n) {
    int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
    for (int i = 0; i < n; i++) {
      out.append(ALPHABET.charAt(w & 0x3f));
      w >>>= 6;
    }
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-512", e);
    }
  }
}
