package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The bounds on what an image's package database may make us read (docs/safety.md, hostile
 * input): real databases are a few MB with a few thousand packages, far below these.
 */
final class Limits {
  /** A text database ({@code status}, {@code installed}) or rpmdb.sqlite. */
  static final long MAX_DATABASE_BYTES = 256L * 1024 * 1024;
  /** One pacman {@code desc} file. */
  static final int MAX_DESC_BYTES = 1024 * 1024;
  /** One line of a text database. */
  static final int MAX_LINE_CHARS = 1024 * 1024;
  /** Packages in one database. */
  static final int MAX_PACKAGES = 200_000;
  /** One rpm header blob. */
  static final int MAX_HEADER_BYTES = 64 * 1024 * 1024;
  /** Index entries of one rpm header (rpm's own limit is 0xffff). */
  static final int MAX_HEADER_ENTRIES = 0xffff;

  private Limits() {}

  /** Fails when {@code path} is larger than {@code max} bytes. */
  static void checkSize(RootFs root, ImagePath path, long max) throws IOException {
    long size = root.metadata(path).size();
    if (size > max) {
      throw new InvalidInputException(path.toString(), size + " bytes, past the limit of " + max + " bytes");
    }
  }

  /** A line reader over a text file of the image, after checking its size. */
  static LineReader lines(RootFs root, ImagePath path) throws IOException {
    checkSize(root, path, MAX_DATABASE_BYTES);
    return new LineReader(path.toString(), root.newInputStream(path));
  }

  /** Fails when a database holds more than {@link #MAX_PACKAGES} packages. */
  static void checkCount(String source, int count) throws InvalidInputException {
    if (count > MAX_PACKAGES) {
      throw new InvalidInputException(source, "more than " + MAX_PACKAGES + " packages, the limit");
    }
  }

  /** Reads lines of at most {@link #MAX_LINE_CHARS}, counting them for error messages. */
  static final class LineReader implements AutoCloseable {
    private final String source;
    private final BufferedReader in;
    private int line;

    LineReader(String source, InputStream in) {
      this.source = source;
      this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
    }

    /** The next line without its end, or null at the end of the file. */
    String next() throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (b.length() >= MAX_LINE_CHARS) {
          throw new InvalidInputException(source, line + 1, 0, "a line longer than " + MAX_LINE_CHARS + " characters, the limit");
        }
        b.append((char) c);
      }
      if (c == -1 && b.isEmpty()) {
        return null;
      }
      line++;
      return b.toString();
    }

    int line() {
      return line;
    }

    String source() {
      return source;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
