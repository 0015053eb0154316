package dev.kairos.factory.core.api.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockTest {
  private static final String H1 = "a".repeat(64);
  private static final String H2 = "b".repeat(64);

  private static Lock sample() {
    return Lock.builder().kairosVersion("v1.0.0").sourceDate(1700000000L)
        .base("source", "dir:/srv/base with space").base("suite", "bookworm")
        .source("framework", "oci-layout:/fw@sha256:" + H1)
        .option("model", "generic").option("arch", "amd64")
        // added out of order: the text is sorted
        .basePackage(LockedPackage.of("zlib1g", "amd64", "1:1.2.13.dfsg-1", 68000, H2, "http://deb.debian.org/debian"))
        .basePackage(LockedPackage.installed("bash", "amd64", "5.2.15-2+b13"))
        .pkg(LockedPackage.of("curl", "amd64", "7.88.1-10+deb12u15", 315692, H1, "http://deb.debian.org/debian"))
        .pkg(LockedPackage.of("adduser", "all", "3.134", 183272, H2, "http://127.0.0.1:8080"))
        .pkg(LockedPackage.installed("bash", "amd64", "5.2.15-2+b13"))
        .build();
  }

  @Test
  void writesSortedLinesAndReadsThemBack(@TempDir Path dir) throws Exception {
    Lock lock = sample();
    Path file = dir.resolve("kairos.lock");
    lock.write(file);
    List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).toList();
    assertThat(lines).containsExactly(
        "kairos-lock 2",
        "kairos-version v1.0.0",
        "source-date 1700000000",
        "base source dir:/srv/base%20with%20space",
        "base suite bookworm",
        "source framework oci-layout:/fw@sha256:" + H1,
        "option arch amd64",
        "option model generic",
        "base-package bash amd64 5.2.15-2+b13 - - -",
        "base-package zlib1g amd64 1:1.2.13.dfsg-1 68000 " + H2 + " http://deb.debian.org/debian",
        "package adduser all 3.134 183272 " + H2 + " http://127.0.0.1:8080",
        "package bash amd64 5.2.15-2+b13 - - -",
        "package curl amd64 7.88.1-10+deb12u15 315692 " + H1 + " http://deb.debian.org/debian");
    Lock again = Lock.read(file);
    assertThat(again).isEqualTo(lock);
    assertThat(again.base()).containsEntry("source", "dir:/srv/base with space");
    assertThat(again.pkg("curl").orElseThrow().sha256()).contains(H1);
    assertThat(again.pkg("bash").orElseThrow().sha256()).isEmpty();
    assertThat(again.format()).isEqualTo(lock.format());
  }

  @Test
  void diffListsAddedRemovedAndChanged() {
    Lock a = sample();
    Lock b = a.toBuilder()
        .pkg(LockedPackage.of("curl", "amd64", "7.88.1-10+deb12u16", 315700, H2, "http://deb.debian.org/debian"))
        .pkg(LockedPackage.installed("conntrack", "amd64", "1:1.4.7-1+b2"))
        .build();
    Lock c = Lock.builder().kairosVersion("v1.0.0").sourceDate(1L).packages(b.packages().values().stream()
        .filter(p -> !p.name().equals("adduser")).toList()).build();
    Lock.Diff d = Lock.diff(a, c);
    assertThat(d.added()).extracting(LockedPackage::toString).containsExactly("conntrack:amd64=1:1.4.7-1+b2");
    assertThat(d.removed()).extracting(LockedPackage::toString).containsExactly("adduser:all=3.134");
    assertThat(d.changed()).extracting(Lock.Change::toString)
        .containsExactly("curl:amd64 7.88.1-10+deb12u15 -> 7.88.1-10+deb12u16");
    assertThat(Lock.diff(a, a).isEmpty()).isTrue();
  }

  @Test
  void aVersion1LockStillReads() throws Exception {
    Lock old = Lock.parse("old.lock", "kairos-lock 1\nkairos-version v1\nsource-date 5\nbase source debootstrap:bookworm\n"
        + "base-package bash amd64 5.2.15-2+b13\npackage curl amd64 7.88 12 " + H1 + " -\n");
    assertThat(old.basePackages().get("bash:amd64")).isEqualTo(LockedPackage.installed("bash", "amd64", "5.2.15-2+b13"));
    assertThat(old.pkg("curl").orElseThrow().sha256()).contains(H1);
    assertThat(old.format()).contains("kairos-lock 2\n").contains("base-package bash amd64 5.2.15-2+b13 - - -\n");
    // In version 2 a base package has the six fields of a package.
    assertThatThrownBy(() -> Lock.parse("x.lock", "kairos-lock 2\nkairos-version v1\nsource-date 5\nbase-package a amd64 1\n"))
        .hasMessageContaining("x.lock:4: base-package takes 6 fields");
  }

  @Test
  void badInputNamesTheLine() {
    String good = "kairos-lock 1\nkairos-version v1\nsource-date 5\n";
    assertThatThrownBy(() -> Lock.parse("x.lock", "hello\n")).isInstanceOf(LockFormatException.class)
        .hasMessageContaining("x.lock:1: not a lock file");
    assertThatThrownBy(() -> Lock.parse("x.lock", "# c\nkairos-lock 3\n")).hasMessageContaining("x.lock:2: format version 3");
    assertThatThrownBy(() -> Lock.parse("x.lock", good + "package curl amd64 1.0 12 -\n"))
        .isInstanceOf(LockFormatException.class).hasMessageContaining("x.lock:4: package takes 6 fields");
    assertThatThrownBy(() -> Lock.parse("x.lock", good + "package curl amd64 1.0 12 nothex -\n"))
        .hasMessageContaining("x.lock:4: sha256 must be 64");
    assertThatThrownBy(() -> Lock.parse("x.lock", good + "\nwhat is this\n"))
        .hasMessageContaining("x.lock:5: unknown entry 'what'");
    assertThatThrownBy(() -> Lock.parse("x.lock", good + "option a b\noption a c\n"))
        .hasMessageContaining("x.lock:5: a second option 'a'");
    assertThatThrownBy(() -> Lock.parse("x.lock", good + "base-package a amd64 1\nbase-package a amd64 2\n"))
        .hasMessageContaining("x.lock:5: a second base-package a:amd64");
    assertThatThrownBy(() -> Lock.parse("x.lock", "kairos-lock 1\nsource-date 5\n"))
        .hasMessageContaining("missing kairos-version");
    assertThatThrownBy(() -> Lock.parse("x.lock", good + "source-date  5\n")).hasMessageContaining("x.lock:4:");
    assertThat(((LockFormatException) org.assertj.core.api.Assertions.catchThrowable(
        () -> Lock.parse("f", good + "bogus\n"))).line()).isEqualTo(4);
  }
}
