package dev.kairos.factory.oci.internal.layer;

import dev.kairos.factory.oci.internal.tar.TarEntry;
import dev.kairos.factory.oci.internal.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** Builds small layer tarballs member by member, hostile ones included, for tests. */
final class TestLayer {
  static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarWriter tar = new TarWriter(bytes);

  TestLayer file(String name, String content) {
    return file(name, content, 0644, 0, 0, Map.of());
  }

  TestLayer file(String name, String content, int mode, int uid, int gid, Map<String, byte[]> xattrs) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return add(new TarEntry(name, TarEntry.Kind.REGULAR, mode, uid, gid, b.length, T, "", 0, 0, xattrs), b);
  }

  TestLayer dir(String name) {
    return dir(name, 0755);
  }

  TestLayer dir(String name, int mode) {
    return add(new TarEntry(name, TarEntry.Kind.DIRECTORY, mode, 0, 0, 0, T, "", 0, 0, Map.of()), null);
  }

  TestLayer symlink(String name, String target) {
    return add(new TarEntry(name, TarEntry.Kind.SYMLINK, 0777, 0, 0, 0, T, target, 0, 0, Map.of()), null);
  }

  TestLayer hardlink(String name, String target) {
    return add(new TarEntry(name, TarEntry.Kind.HARDLINK, 0644, 0, 0, 0, T, target, 0, 0, Map.of()), null);
  }

  TestLayer special(String name, TarEntry.Kind kind, int major, int minor) {
    return add(new TarEntry(name, kind, 0620, 0, 5, 0, T, "", major, minor, Map.of()), null);
  }

  private TestLayer add(TarEntry e, byte[] content) {
    try {
      tar.write(e, content == null ? null : new ByteArrayInputStream(content));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return this;
  }

  byte[] bytes() {
    try {
      tar.finish();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return bytes.toByteArray();
  }

  ByteArrayInputStream stream() {
    return new ByteArrayInputStream(bytes());
  }
}
