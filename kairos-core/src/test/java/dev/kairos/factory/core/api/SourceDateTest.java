package dev.kairos.factory.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build's source date comes from its inputs: the variable, the image's creation time, its package database. */
class SourceDateTest {
  private static final Instant STATUS = Instant.parse("2026-03-14T09:26:53Z");
  private static final Instant OS_RELEASE = Instant.parse("2025-01-01T00:00:00Z");
  @TempDir Path tmp;

  /** A Debian-like base on disk: os-release and dpkg's status file with the given times. */
  private RootFs debian() throws IOException {
    Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(tmp.resolve("etc/os-release"), "ID=debian\n");
    Files.setLastModifiedTime(tmp.resolve("etc/os-release"), FileTime.from(OS_RELEASE));
    Files.createDirectories(tmp.resolve("var/lib/dpkg"));
    Files.writeString(tmp.resolve("var/lib/dpkg/status"), "Package: base-files\nStatus: install ok installed\n");
    Files.setLastModifiedTime(tmp.resolve("var/lib/dpkg/status"), FileTime.from(STATUS));
    return RootFs.at(tmp);
  }

  @Test
  void withoutTheVariableABuildTakesTheNewestChangeOfThePackageDatabase() throws Exception {
    RootFs root = debian();
    SourceDate date = SourceDate.fromInputs(Map.of(), Optional.empty(), root);
    assertThat(date.instant()).isEqualTo(STATUS);
    // Same inputs, same date; and not the epoch, whose day 0 would expire passwords in /etc/shadow.
    assertThat(SourceDate.fromInputs(Map.of(), Optional.empty(), RootFs.at(tmp)).instant()).isEqualTo(STATUS);
    assertThat(date.instant().getEpochSecond()).isGreaterThan(86_400);
  }

  @Test
  void theVariableWinsThenTheImagesCreationTime() throws Exception {
    RootFs root = debian();
    Instant created = Instant.parse("2026-05-01T12:00:00Z");
    assertThat(SourceDate.fromInputs(Map.of("SOURCE_DATE_EPOCH", "1700000000"), Optional.of(created), root).instant())
        .isEqualTo(Instant.ofEpochSecond(1_700_000_000));
    assertThat(SourceDate.fromInputs(Map.of(), Optional.of(created), root).instant()).isEqualTo(created);
    // An image made reproducibly with the epoch as its date says nothing: the package database decides.
    assertThat(SourceDate.fromInputs(Map.of(), Optional.of(Instant.EPOCH), root).instant()).isEqualTo(STATUS);
    assertThatThrownBy(() -> SourceDate.fromInputs(Map.of("SOURCE_DATE_EPOCH", "soon"), Optional.empty(), root))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'soon'");
  }

  @Test
  void anRpmDatabaseCountsByItsNewestFileAndOsReleaseIsTheLastResort() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=fedora\n");
    root.setMtime(ImagePath.of("/etc/os-release"), OS_RELEASE);
    assertThat(SourceDate.fromInputs(Map.of(), Optional.empty(), root).instant()).isEqualTo(OS_RELEASE);

    root.createDirectories(ImagePath.of("/usr/lib/sysimage/rpm"));
    root.writeString(ImagePath.of("/usr/lib/sysimage/rpm/rpmdb.sqlite"), "db");
    root.setMtime(ImagePath.of("/usr/lib/sysimage/rpm/rpmdb.sqlite"), STATUS);
    root.writeString(ImagePath.of("/usr/lib/sysimage/rpm/.rpm.lock"), "");
    root.setMtime(ImagePath.of("/usr/lib/sysimage/rpm/.rpm.lock"), STATUS.minusSeconds(3600));
    root.createDirectories(ImagePath.of("/var/lib"));
    root.createSymlink(ImagePath.of("/var/lib/rpm"), "../../usr/lib/sysimage/rpm");
    assertThat(SourceDate.fromInputs(Map.of(), Optional.empty(), root).instant()).isEqualTo(STATUS);
  }
}
