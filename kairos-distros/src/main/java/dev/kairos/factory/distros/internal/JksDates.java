package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.fs.ImagePath;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * Pins the entry dates of a Java keystore in the JKS format to one instant. Debian's
 * ca-certificates-java writes {@code /etc/ssl/certs/java/cacerts} (the JRE's trust store) as a JKS
 * whose every entry carries the time it was added, so two installs of the same packages differ
 * there and nowhere else. The format (OpenJDK's {@code JavaKeyStore}): magic {@code FEEDFEED},
 * version, entry count; per entry a tag (1 key, 2 trusted certificate), the alias, the date in
 * milliseconds, then the key and certificates, each with its length; at the end a SHA-1 over the
 * password (UTF-16BE), the text {@code Mighty Aphrodite} and everything before it. Only the dates
 * and that digest change; the entries keep their order.
 *
 * <p>As the cleanup step's {@link DistroStrategy.DatedFile}: a file that does not start with the
 * JKS magic (another format, e.g. a PKCS#12 store a user put there) is left alone; one that does
 * but is cut short, malformed (a length running past the end, an unknown entry tag, bytes after
 * the digest) is refused, naming the file: the JRE could not use it as it is either. One sealed
 * with another password than this one's (ca-certificates-java takes {@code storepass} from
 * {@code /etc/default/cacerts}, so a user may have set one) cannot be sealed again here: it is left
 * as it is, with its install dates, and the cleanup step says so. Lengths are checked against the
 * bytes there are, so a hostile file costs no more than reading it.
 */
final class JksDates implements DistroStrategy.DatedFile {
  private static final int MAGIC = 0xFEEDFEED;
  private static final int DIGEST_LENGTH = 20;

  private final ImagePath path;
  private final String password;

  /** The JKS at {@code path}, sealed with {@code password}. */
  JksDates(ImagePath path, String password) {
    this.path = path;
    this.password = password;
  }

  @Override
  public ImagePath path() {
    return path;
  }

  @Override
  public Optional<byte[]> redate(byte[] content, Instant date, String source) throws InvalidInputException {
    if (content.length < 4 || ByteBuffer.wrap(content).getInt() != MAGIC) {
      return Optional.empty();
    }
    try {
      return Optional.of(pin(content, password.toCharArray(), date, source));
    } catch (SealedWithAnotherPassword e) {
      return Optional.empty(); // a store of the user's own: theirs to keep as it is
    }
  }

  /** A well-formed JKS whose digest does not match the password given. */
  static final class SealedWithAnotherPassword extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    SealedWithAnotherPassword(String source) {
      super(source, "its digest does not match the password given");
    }
  }

  /**
   * {@code jks} with every entry dated {@code date} and its digest made anew with
   * {@code password}.
   *
   * @throws InvalidInputException if it is not a JKS keystore, is cut short, or its digest does
   *     not match {@code password} (then it is not the store this was meant for)
   */
  static byte[] pin(byte[] jks, char[] password, Instant date, String source) throws InvalidInputException {
    byte[] out = jks.clone();
    ByteBuffer b = ByteBuffer.wrap(out);
    try {
      if (b.getInt() != MAGIC) {
        throw new InvalidInputException(source, "not a JKS keystore (no FEEDFEED magic)");
      }
      int version = b.getInt();
      if (version != 1 && version != 2) {
        throw new InvalidInputException(source, "JKS version " + version + " is neither 1 nor 2");
      }
      int count = b.getInt();
      for (int i = 0; i < count; i++) {
        int tag = b.getInt();
        skipUtf(b);
        b.putLong(date.toEpochMilli());
        if (tag == 1) {
          skip(b, b.getInt());
          int chain = b.getInt();
          for (int c = 0; c < chain; c++) {
            skipCertificate(b, version);
          }
        } else if (tag == 2) {
          skipCertificate(b, version);
        } else {
          throw new InvalidInputException(source, "entry " + i + " has tag " + tag + ", neither a key (1) nor a"
              + " trusted certificate (2)");
        }
      }
      int end = b.position();
      if (out.length - end != DIGEST_LENGTH) {
        throw new InvalidInputException(source, (out.length - end) + " bytes follow the entries, expected the "
            + DIGEST_LENGTH + "-byte digest");
      }
      if (!Arrays.equals(digest(jks, end, password), Arrays.copyOfRange(jks, end, out.length))) {
        throw new SealedWithAnotherPassword(source);
      }
      System.arraycopy(digest(out, end, password), 0, out, end, DIGEST_LENGTH);
      return out;
    } catch (BufferUnderflowException | BufferOverflowException | IllegalArgumentException e) {
      throw new InvalidInputException(source, "cut short or malformed at byte " + b.position());
    }
  }

  private static void skipCertificate(ByteBuffer b, int version) {
    if (version == 2) {
      skipUtf(b); // the certificate type, e.g. X.509
    }
    skip(b, b.getInt());
  }

  private static void skipUtf(ByteBuffer b) {
    skip(b, Short.toUnsignedInt(b.getShort()));
  }

  private static void skip(ByteBuffer b, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative length " + n);
    }
    b.position(b.position() + n);
  }

  private static byte[] digest(byte[] data, int length, char[] password) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      for (char c : password) {
        md.update((byte) (c >> 8));
        md.update((byte) c);
      }
      md.update("Mighty Aphrodite".getBytes(StandardCharsets.UTF_8));
      md.update(data, 0, length);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }
}
