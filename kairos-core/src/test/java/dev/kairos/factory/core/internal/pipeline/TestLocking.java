package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.RecordingRunner.Reply;
import dev.kairos.factory.core.testing.FakePackageManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Locks for {@link TestDistro} on the {@link FakePackageManager}: {@code fake-dpkg-query} lists what
 * the fake installed, {@code fake-print-uris} gives each package a file whose hash is that of the
 * image's index (so a lock made from other indexes differs). {@link #installOn} adds both to a runner.
 */
final class TestLocking implements PackageManager.Locking {
  static final String LIST = "fake-dpkg-query";
  static final String FILES = "fake-print-uris";

  static RecordingRunner installOn(RecordingRunner runner) {
    runner.whenProgram(LIST, (root, cmd) -> {
      StringBuilder b = new StringBuilder();
      for (String p : FakePackageManager.installed(root)) {
        b.append(p).append(" amd64 1.0-1\n");
      }
      write(root, ImagePath.of(cmd.argv().get(1)), b.toString());
      return Reply.ok();
    });
    runner.whenProgram(FILES, (root, cmd) -> {
      ImagePath index = FakePackageManager.LISTS.resolve(FakePackageManager.INDEX_FILE);
      String hash = StepKeys.sha256(root.isRegularFile(index) ? root.readAllBytes(index) : new byte[0]);
      StringBuilder b = new StringBuilder();
      for (String p : cmd.argv().subList(2, cmd.argv().size())) {
        b.append(p).append(' ').append(hash).append('\n');
      }
      write(root, ImagePath.of(cmd.argv().get(1)), b.toString());
      return Reply.ok();
    });
    return runner;
  }

  private static void write(RootFs root, ImagePath p, String text) throws IOException {
    root.createDirectories(p.parent());
    root.write(p, text.getBytes(StandardCharsets.UTF_8), 0644);
  }

  @Override
  public Optional<ImagePath> indexes() {
    return Optional.of(FakePackageManager.LISTS);
  }

  @Override
  public Command listInstalled(ImagePath out) {
    return Command.of(LIST, out.toString());
  }

  @Override
  public List<LockedPackage> parseInstalled(String text) {
    List<LockedPackage> out = new ArrayList<>();
    text.lines().map(l -> l.split(" ")).filter(f -> f.length == 3)
        .forEach(f -> out.add(LockedPackage.installed(f[0], f[1], f[2])));
    return out;
  }

  @Override
  public Command listFiles(List<LockedPackage> packages, ImagePath out) {
    List<String> argv = new ArrayList<>(List.of(FILES, out.toString()));
    packages.forEach(p -> argv.add(p.name()));
    return Command.of(argv.toArray(String[]::new));
  }

  @Override
  public List<LockedPackage> withFiles(List<LockedPackage> packages, String text) {
    List<LockedPackage> out = new ArrayList<>();
    for (LockedPackage p : packages) {
      Optional<String> hash = text.lines().map(l -> l.split(" ")).filter(f -> f.length == 2 && f[0].equals(p.name()))
          .map(f -> f[1]).findFirst();
      out.add(hash.isEmpty() ? p : new LockedPackage(p.name(), p.arch(), p.version(), 1, hash,
          Optional.of("http://fake.example/debian")));
    }
    return out;
  }

  @Override
  public List<PackageManager.TemporaryFile> replayFiles(Lock lock, Optional<String> mirror) {
    return List.of();
  }

  @Override
  public ImagePath mismatchFile() {
    return ImagePath.of("/etc/fake-lock.mismatch");
  }

  @Override
  public LockMismatchException mismatch(String text, String where) {
    return new LockMismatchException("a package", "the locked file", text, where);
  }
}
