package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.KairosException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The CLI's work directory: the image's root is unpacked into {@code WORK/rootfs} and left there
 * after the build (so that {@code validate}, {@code build-iso} and friends can be run on it). A
 * new build replaces the root of the previous one, never while something is mounted inside it.
 */
final class WorkDirectory {
  private WorkDirectory() {}

  /** Creates {@code work} and removes a previous {@code rootfs} in it; returns {@code work}. */
  static Path prepare(Path work, Path rootfs) throws IOException {
    Files.createDirectories(work);
    if (Files.exists(rootfs)) {
      refuseIfMounted(rootfs);
      deleteTree(rootfs);
    }
    return work;
  }

  /** Fails if anything is mounted at or under {@code dir}: deleting it would reach the mounted file system. */
  static void refuseIfMounted(Path dir) throws IOException {
    Path mountinfo = Path.of("/proc/self/mountinfo");
    if (!Files.isReadable(mountinfo)) {
      return;
    }
    String prefix = dir.toRealPath().toString();
    for (String line : Files.readAllLines(mountinfo)) {
      List<String> f = List.of(line.split(" "));
      if (f.size() > 4) {
        String point = f.get(4).replace("\\040", " ");
        if (point.equals(prefix) || point.startsWith(prefix + "/")) {
          throw new KairosException(dir + ": " + point + " is mounted inside the previous root; unmount it first");
        }
      }
    }
  }

  /** Deletes a tree without following symbolic links (a link is removed, never its target). */
  static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
