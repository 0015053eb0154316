package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.api.DigestMismatchException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Passes a blob through while hashing and counting it; at its end (or as soon as it runs past its
 * size) fails if the bytes are not those of the descriptor.
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final Descriptor expected;
  private final String source;
  private final MessageDigest sha = BlobStore.sha256();
  private long count;
  private boolean checked;

  public VerifyingInputStream(InputStream in, Descriptor expected, String source) {
    super(in);
    this.expected = expected;
    this.source = source;
  }

  /** Reads {@code d} from {@code in} whole and verified (for manifests and configs). */
  public static byte[] readAll(InputStream in, Descriptor d, String source, int max) throws IOException {
    if (d.size() > max) {
      throw new KairosException(source + ": " + d.digest() + " claims " + d.size() + " bytes, more than the " + max + " allowed");
    }
    try (VerifyingInputStream v = new VerifyingInputStream(in, d, source)) {
      return v.readAllBytes();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n < 0) {
      check();
      return -1;
    }
    sha.update(b, off, n);
    count += n;
    if (count > expected.size()) {
      throw mismatch("more than " + expected.size() + " bytes");
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[8192];
    long done = 0;
    while (done < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void check() throws IOException {
    if (checked) {
      return;
    }
    checked = true;
    String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
    if (count != expected.size() || !digest.equals(expected.digest())) {
      throw mismatch(digest + " (" + count + " bytes)");
    }
  }

  private DigestMismatchException mismatch(String got) {
    return new DigestMismatchException(source, expected.digest() + " (" + expected.size() + " bytes)", got);
  }
}
