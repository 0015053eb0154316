package dev.kairos.factory.distros.internal.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.distros.api.sbom.SbomComponent;
import dev.kairos.factory.distros.api.sbom.SbomComponent.Kind;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The readers on databases written by the package managers themselves (see
 * {@code src/test/resources/sbom/README.md}), cross-checked against those tools' own queries
 * where the host has them, and on hostile input.
 */
class PackageDatabasesTest {
  static RootFs fixture(String name) throws IOException {
    try {
      return RootFs.at(Path.of(PackageDatabasesTest.class.getResource("/sbom/" + name).toURI()));
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  static Map<String, SbomComponent> byName(List<SbomComponent> components) {
    return components.stream().filter(c -> c.kind().isPackage())
        .collect(Collectors.toMap(SbomComponent::name, Function.identity()));
  }

  @Test
  void rpmHeadersFromTheSqliteDatabase() throws Exception {
    RootFs root = fixture("rpm");
    Map<String, SbomComponent> p = byName(SbomReader.read(root).components());
    assertThat(p).containsOnlyKeys("tinybase", "tinyhello");
    SbomComponent base = p.get("tinybase");
    assertThat(base.kind()).isEqualTo(Kind.RPM);
    assertThat(base.version()).isEqualTo("2:1.2.3-4.fc40");
    assertThat(base.arch()).isEqualTo("noarch");
    assertThat(base.licence()).contains("MIT");
    assertThat(base.supplier()).contains("Kairos Test Vendor");
    assertThat(base.purl()).isEqualTo("pkg:rpm/fedora/tinybase@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2");
    SbomComponent hello = p.get("tinyhello");
    assertThat(hello.version()).isEqualTo("0.9+git1-1.fc40");
    assertThat(hello.licence()).contains("GPL-2.0-or-later AND MIT");
    assertThat(hello.supplier()).contains("Kairos Tests <tests@kairos.io>"); // no vendor: the packager
    assertThat(hello.purl()).isEqualTo("pkg:rpm/fedora/tinyhello@0.9%2Bgit1-1.fc40?arch=x86_64&distro=fedora-40");
    // requires tiny-virtual, which tinybase provides; /bin/sh is provided by nothing installed
    assertThat(hello.dependsOn()).containsExactly(base.purl());
    // the database is opened immutable: nothing written beside it
    assertThat(Files.list(root.hostPath(ImagePath.of("/var/lib/rpm"), true)).map(f -> f.getFileName().toString()))
        .containsExactly("rpmdb.sqlite");
  }

  @Test
  void rpmAgreesWithRpmItself() throws Exception {
    assumeThat(Files.isExecutable(Path.of("/usr/bin/rpm"))).as("rpm on the host").isTrue();
    RootFs root = fixture("rpm");
    Path copy = Files.createTempDirectory("rpmdb-");
    try {
      Files.copy(root.hostPath(ImagePath.of("/var/lib/rpm/rpmdb.sqlite"), true), copy.resolve("rpmdb.sqlite"));
      String expected = run("rpm", "--define", "_db_backend sqlite", "--dbpath", copy.toString(), "-qa", "--qf",
          "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH}\\n");
      String ours = SbomReader.read(root).components().stream().filter(c -> c.kind().isPackage())
          .map(c -> c.name() + " " + c.version() + " " + c.arch()).sorted().collect(Collectors.joining("\n", "", "\n"));
      assertThat(ours).isEqualTo(expected.lines().sorted().collect(Collectors.joining("\n", "", "\n")));
    } finally {
      try (var s = Files.list(copy)) {
        for (Path f : s.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(copy);
    }
  }

  @Test
  void pacmanLocalDatabase() throws Exception {
    RootFs root = fixture("pacman");
    Map<String, SbomComponent> p = byName(SbomReader.read(root).components());
    assertThat(p).containsOnlyKeys("tinyalpmbase", "tinyalpmhello");
    SbomComponent base = p.get("tinyalpmbase");
    assertThat(base.version()).isEqualTo("1:2.0-1");
    assertThat(base.purl()).isEqualTo("pkg:alpm/arch/tinyalpmbase@1%3A2.0-1?arch=any");
    SbomComponent hello = p.get("tinyalpmhello");
    assertThat(hello.kind()).isEqualTo(Kind.ALPM);
    assertThat(hello.arch()).isEqualTo("x86_64");
    assertThat(hello.licence()).contains("GPL-2.0-or-later");
    assertThat(hello.supplier()).contains("Kairos Tests <tests@kairos.io>");
    assertThat(hello.dependsOn()).containsExactly(base.purl());
    if (Files.isExecutable(Path.of("/usr/bin/pacman"))) {
      Path db = root.hostPath(ImagePath.of("/var/lib/pacman"), true);
      String q = run("pacman", "--dbpath", db.toString(), "-Q");
      assertThat(q.lines().sorted().toList()).containsExactly("tinyalpmbase 1:2.0-1", "tinyalpmhello 0.1-3");
    }
  }

  @Test
  void apkInstalledDatabase() throws Exception {
    Map<String, SbomComponent> p = byName(SbomReader.read(fixture("apk")).components());
    assertThat(p).containsOnlyKeys("musl", "busybox", "alpine-baselayout");
    SbomComponent musl = p.get("musl");
    assertThat(musl.purl()).isEqualTo("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.1");
    assertThat(musl.licence()).contains("MIT");
    assertThat(musl.supplier()).contains("Natanael Copa <ncopa@alpinelinux.org>");
    assertThat(p.get("busybox").dependsOn()).containsExactly(musl.purl()); // through so:libc.musl-x86_64.so.1
    assertThat(p.get("alpine-baselayout").dependsOn()).isEmpty();
  }

  @Test
  void dpkgStatusInstalledOnlyWithDependenciesThroughProvidesAndAlternatives() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/var/lib/dpkg"));
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    root.writeString(DpkgStatus.STATUS, """
        Package: bash
        Status: install ok installed
        Priority: required
        Architecture: amd64
        Version: 5.2.15-2+b2
        Maintainer: Matthias Klose <doko@debian.org>
        Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
        Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)
        Description: GNU Bourne Again SHell
         Bash is an sh-compatible command language interpreter.
         .
         Continuation lines are skipped.

        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Multi-Arch: same
        Version: 2.36-9+deb12u13
        Provides: libc6-x86-64

        Package: mawk
        Status: install ok installed
        Architecture: amd64
        Version: 1.3.4.20200120-3.1
        Provides: awk
        Depends: libc6:any (>= 2.29) | libc6-x86-64

        Package: tzdata
        Status: install ok installed
        Architecture: all
        Version: 1:2024a-0+deb12u1
        Depends: awk | gawk

        Package: oldstuff
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 1.0

        """);
    Map<String, SbomComponent> p = byName(SbomReader.read(root).components());
    assertThat(p).containsOnlyKeys("bash", "libc6", "mawk", "tzdata");
    assertThat(p.get("bash").purl()).isEqualTo("pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
    assertThat(p.get("bash").supplier()).contains("Matthias Klose <doko@debian.org>");
    assertThat(p.get("bash").dependsOn()).containsExactly(p.get("libc6").purl()); // the others are not installed
    assertThat(p.get("mawk").dependsOn()).containsExactly(p.get("libc6").purl());
    assertThat(p.get("tzdata").dependsOn()).containsExactly(p.get("mawk").purl()); // awk, provided by mawk
    assertThat(p.get("tzdata").version()).isEqualTo("1:2024a-0+deb12u1");
  }

  @Test
  void aStatusLinePastTheLimitIsRefusedNamingTheFileAndLine() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/var/lib/dpkg"));
    root.writeString(DpkgStatus.STATUS, "Package: a\nDescription: " + "x".repeat(Limits.MAX_LINE_CHARS + 1) + "\n");
    assertThatThrownBy(() -> SbomReader.read(root)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/var/lib/dpkg/status:2").hasMessageContaining("the limit");
  }

  @Test
  void hostileRpmHeadersFailNamingTheProblem() {
    // more index entries than rpm allows
    assertThatThrownBy(() -> RpmHeader.parse("blob", ByteBuffer.allocate(8).putInt(0x10000).putInt(0).array()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("65536 index entries");
    // sizes that do not match the blob
    assertThatThrownBy(() -> RpmHeader.parse("blob", ByteBuffer.allocate(8).putInt(1).putInt(100).array()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("holds 0 bytes");
    // an entry whose offset points past the data store
    byte[] outside = ByteBuffer.allocate(8 + 16 + 4).putInt(1).putInt(4)
        .putInt(RpmHeader.NAME).putInt(6).putInt(1000).putInt(1).putInt(0).array();
    assertThatThrownBy(() -> RpmHeader.parse("blob", outside))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tag 1000").hasMessageContaining("outside");
    // a string without its terminating NUL
    byte[] unterminated = ByteBuffer.allocate(8 + 16 + 4).putInt(1).putInt(4)
        .putInt(RpmHeader.NAME).putInt(6).putInt(0).putInt(1).put("abcd".getBytes(StandardCharsets.US_ASCII)).array();
    assertThatThrownBy(() -> RpmHeader.parse("blob", unterminated).string(RpmHeader.NAME))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("runs past the data store");
  }

  static String run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv)).isZero();
    return out;
  }
}
