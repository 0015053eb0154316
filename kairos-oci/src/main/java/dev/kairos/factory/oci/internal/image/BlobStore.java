package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.oci.api.DigestMismatchException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content-addressed blobs in a directory, laid out as an OCI image layout's {@code blobs/sha256/}.
 * A blob is written under a temporary name, hashed as it streams, and renamed to its digest only
 * when complete and (if one was expected) verified, so a present blob is always whole and right.
 */
public final class BlobStore {
  private final Path dir;
  private boolean swept;

  public BlobStore(Path dir) {
    this.dir = dir;
  }

  /** The directory that holds {@code blobs/}. */
  public Path root() {
    return dir;
  }

  /** Where the blob with {@code digest} is or would be. */
  public Path path(String digest) {
    return dir.resolve("blobs").resolve("sha256").resolve(digest.substring(digest.indexOf(':') + 1));
  }

  /** Whether the blob is present with the given size. */
  public boolean has(String digest, long size) throws IOException {
    Path p = path(digest);
    return Files.isRegularFile(p) && Files.size(p) == size;
  }

  public InputStream open(String digest) throws IOException {
    return Files.newInputStream(path(digest));
  }

  /**
   * A stream to write a new blob; {@link Writer#commit} names it by its digest. The first one
   * removes the partial blobs of runs now gone (the store may be a cache shared by live runs).
   */
  public Writer writer() throws IOException {
    Path blobs = dir.resolve("blobs").resolve("sha256");
    Files.createDirectories(blobs);
    if (!swept) {
      swept = true;
      AtomicFile.sweep(blobs);
    }
    // Named as AtomicFile names its temporaries (with our pid), so that the sweep knows a dead run's.
    Path tmp = Files.createTempFile(blobs, ".incoming" + AtomicFile.TEMP_INFIX + ProcessHandle.current().pid() + "-", "");
    return new Writer(tmp, Files.newOutputStream(tmp));
  }

  /**
   * Copies {@code in} into the store and verifies it against {@code expected}: on a digest or size
   * mismatch nothing is kept and the error names both digests.
   */
  public void put(InputStream in, Descriptor expected, String source) throws IOException {
    try (Writer w = writer()) {
      in.transferTo(w);
      w.commit(expected, source);
    }
  }

  /** Stores {@code data} as a blob and gives its descriptor (with {@code mediaType}). */
  public Descriptor put(byte[] data, String mediaType) throws IOException {
    try (Writer w = writer()) {
      w.write(data);
      return w.commit(mediaType);
    }
  }

  /** The sha256 digest of {@code data}, as {@code sha256:<hex>}. */
  public static String digest(byte[] data) {
    return "sha256:" + HexFormat.of().formatHex(sha256().digest(data));
  }

  /** A blob being written; closing it without commit discards it. */
  public final class Writer extends FilterOutputStream {
    private final Path tmp;
    private final MessageDigest sha = sha256();
    private long size;
    private boolean done;

    private Writer(Path tmp, OutputStream out) {
      super(out);
      this.tmp = tmp;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      sha.update((byte) b);
      size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      sha.update(b, off, len);
      size += len;
    }

    /** This writer as a stream whose {@code close()} only flushes, for wrapping in compressors that close what they wrap. */
    public OutputStream keepOpen() {
      Writer w = this;
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          w.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          w.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          w.flush();
        }
      };
    }

    /** Finishes the blob and gives its descriptor (with {@code mediaType}). */
    public Descriptor commit(String mediaType) throws IOException {
      out.close();
      String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
      move(digest);
      return new Descriptor(mediaType, digest, size);
    }

    /** Finishes the blob, keeping it only if it matches {@code expected}. */
    public Descriptor commit(Descriptor expected, String source) throws IOException {
      out.close();
      String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
      if (!digest.equals(expected.digest()) || size != expected.size()) {
        throw new DigestMismatchException(source, expected.digest() + " (" + expected.size() + " bytes)",
            digest + " (" + size + " bytes)");
      }
      move(digest);
      return expected;
    }

    private void move(String digest) throws IOException {
      Path target = path(digest);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
    }

    @Override
    public void close() throws IOException {
      if (!done) {
        out.close();
        Files.deleteIfExists(tmp);
        done = true;
      }
    }
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
