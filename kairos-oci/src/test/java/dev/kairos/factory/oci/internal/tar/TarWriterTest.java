package dev.kairos.factory.oci.internal.tar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Times in tar members: whole seconds in the ustar header alone, a fraction in a PAX record read back exactly. */
class TarWriterTest {
  @TempDir Path dir;

  static final List<Instant> TIMES = List.of(Instant.ofEpochSecond(1_700_000_000, 123_456_789),
      Instant.ofEpochSecond(1_700_000_000, 1), Instant.ofEpochSecond(-2, 500_000_000), Instant.ofEpochSecond(-1, 1));

  @Test
  void aTimeWithAFractionIsReadBackToTheNanosecond() throws IOException {
    byte[] tar = write(TIMES);
    TarReader r = new TarReader(new ByteArrayInputStream(tar), "test");
    for (Instant t : TIMES) {
      TarEntry e = r.next();
      assertThat(e.mtime()).as(e.name()).isEqualTo(t);
      r.content().transferTo(java.io.OutputStream.nullOutputStream());
    }
    assertThat(r.next()).isNull();
    assertThat(TarWriter.paxTime(Instant.ofEpochSecond(-2, 500_000_000))).isEqualTo("-1.500000000");
    assertThat(TarWriter.paxTime(Instant.ofEpochSecond(-1, 1))).isEqualTo("-0.999999999");
  }

  /** Image layers have whole seconds: their bytes stay as before, without a PAX header. */
  @Test
  void aWholeSecondNeedsNoPaxHeader() throws IOException {
    byte[] tar = write(List.of(Instant.ofEpochSecond(1_700_000_000)));
    assertThat(tar).hasSize(512 + 512 + 1024); // header, one block of content, end
    assertThat(new String(tar, 0, 100, StandardCharsets.US_ASCII)).startsWith("f0");
  }

  /** GNU tar takes the same records: it extracts the file with the time to the nanosecond. */
  @Test
  void gnuTarExtractsTheTimeToTheNanosecond() throws Exception {
    Path archive = dir.resolve("t.tar");
    Files.write(archive, write(List.of(TIMES.get(0))));
    Path out = Files.createDirectories(dir.resolve("out"));
    Process p = new ProcessBuilder("tar", "-xf", archive.toString(), "-C", out.toString()).inheritIO().start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    FileTime t = (FileTime) Files.getAttribute(out.resolve("f0"), "lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    assertThat(t.toInstant()).isEqualTo(TIMES.get(0));
  }

  private static byte[] write(List<Instant> times) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (int i = 0; i < times.size(); i++) {
        byte[] content = ("file " + i).getBytes(StandardCharsets.UTF_8);
        w.write(new TarEntry("f" + i, TarEntry.Kind.REGULAR, 0644, 0, 0, content.length, times.get(i), "", 0, 0,
            Map.of()), new ByteArrayInputStream(content));
      }
    }
    return out.toByteArray();
  }
}
