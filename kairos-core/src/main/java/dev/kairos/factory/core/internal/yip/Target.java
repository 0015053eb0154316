package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.yip.YipEffect;
import dev.kairos.factory.core.api.yip.YipEffect.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The root file system as the yip plugins see it: every change is recorded as a
 * {@link YipEffect}; in a dry run changes go to an in-memory layer instead of the root, so that
 * later steps still see the effects of earlier ones while the image stays untouched. Paths
 * created in the layer are kept lexically (a symlink made during a dry run is not followed by
 * later reads of the same run).
 */
final class Target {
  /** A file as changed in the dry-run layer; {@code type == null} is a deletion; null content means the root's. */
  private record Layered(FileType type, byte[] content, int mode, int uid, int gid, String link) {}

  private final RootFs root;
  private final boolean dryRun;
  private final Map<ImagePath, Layered> layer = new HashMap<>();
  private final List<YipEffect> effects = new ArrayList<>();
  private String step = "";

  Target(RootFs root, boolean dryRun) {
    this.root = root;
    this.dryRun = dryRun;
  }

  void step(String id) {
    this.step = id;
  }

  List<YipEffect> effects() {
    return effects;
  }

  void effect(Kind kind, String target, String detail) {
    effects.add(new YipEffect(kind, step, target, detail));
  }

  private ImagePath key(ImagePath p, boolean follow) throws IOException {
    try {
      return root.realPath(p, follow);
    } catch (java.nio.file.NotDirectoryException e) {
      return p;
    }
  }

  // ------------------------------------------------------------------ reading

  /** Metadata of {@code p}, following symlinks (or not). */
  Optional<FileMetadata> stat(ImagePath p, boolean follow) throws IOException {
    if (dryRun) {
      Layered l = layer.get(key(p, follow));
      if (l == null && follow) {
        l = layer.get(key(p, false));
      }
      if (l != null) {
        if (l.type() == null) {
          return Optional.empty();
        }
        return Optional.of(FileMetadata.builder(l.type()).mode(l.mode()).uid(l.uid()).gid(l.gid())
            .size(l.content() == null ? 0 : l.content().length).build());
      }
    }
    return root.stat(key(p, follow));
  }

  boolean exists(ImagePath p) throws IOException {
    return stat(p, true).isPresent();
  }

  boolean isDirectory(ImagePath p) throws IOException {
    return stat(p, true).map(m -> m.type() == FileType.DIRECTORY).orElse(false);
  }

  boolean isSymlink(ImagePath p) throws IOException {
    return stat(p, false).map(m -> m.type() == FileType.SYMLINK).orElse(false);
  }

  byte[] read(ImagePath p) throws IOException {
    if (dryRun) {
      Layered l = layer.get(key(p, true));
      if (l != null) {
        if (l.type() == null) {
          throw new NoSuchFileException(p.toString());
        }
        if (l.type() != FileType.REGULAR) {
          throw new KairosException(p + ": is not a regular file");
        }
        if (l.content() != null) {
          return l.content().clone();
        }
      }
    }
    return root.readAllBytes(p);
  }

  String readString(ImagePath p) throws IOException {
    return new String(read(p), StandardCharsets.UTF_8);
  }

  /** The text of {@code p}, or empty if it does not exist. */
  Optional<String> readIfExists(ImagePath p) throws IOException {
    Optional<FileMetadata> m = stat(p, true);
    if (m.isEmpty() || m.get().type() != FileType.REGULAR) {
      return Optional.empty();
    }
    return Optional.of(readString(p));
  }

  String readSymlink(ImagePath p) throws IOException {
    if (dryRun) {
      Layered l = layer.get(key(p, false));
      if (l != null && l.type() == FileType.SYMLINK) {
        return l.link();
      }
    }
    return root.readSymlink(p);
  }

  /** Names in directory {@code dir} (root and layer merged), sorted; empty if it is not a directory. */
  List<String> list(ImagePath dir) throws IOException {
    java.util.TreeSet<String> names = new java.util.TreeSet<>(ImagePath::compareNames);
    if (root.isDirectory(dir)) {
      names.addAll(root.list(dir));
    }
    if (dryRun) {
      ImagePath k = key(dir, true);
      for (Map.Entry<ImagePath, Layered> e : layer.entrySet()) {
        if (e.getKey().parent().equals(k) && !e.getKey().isRoot()) {
          if (e.getValue().type() == null) {
            names.remove(e.getKey().fileName());
          } else {
            names.add(e.getKey().fileName());
          }
        }
      }
    }
    return new ArrayList<>(names);
  }

  // ------------------------------------------------------------------ writing

  /** Creates or truncates a regular file; a new one is {@code 0644} root-owned, an existing one keeps its metadata. */
  void write(ImagePath p, byte[] content) throws IOException {
    Optional<FileMetadata> before = stat(p, true);
    if (before.isPresent() && before.get().type() != FileType.REGULAR) {
      throw new KairosException(p + ": exists and is not a regular file");
    }
    if (!isDirectory(p.parent())) {
      throw new NoSuchFileException(p.toString(), null, "parent directory does not exist");
    }
    if (dryRun) {
      FileMetadata m = before.orElse(FileMetadata.builder(FileType.REGULAR).build());
      layer.put(key(p, true), new Layered(FileType.REGULAR, content.clone(), m.mode(), m.uid(), m.gid(), null));
    } else {
      root.write(p, content);
    }
    effect(Kind.FILE_WRITTEN, p.toString(), content.length + " bytes" + (before.isPresent() ? "" : ", new"));
  }

  void writeString(ImagePath p, String content) throws IOException {
    write(p, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Creates one directory whose parent exists. */
  void mkdir(ImagePath p, int mode, int uid, int gid) throws IOException {
    if (stat(p, false).isPresent()) {
      throw new java.nio.file.FileAlreadyExistsException(p.toString());
    }
    if (!isDirectory(p.parent())) {
      throw new NoSuchFileException(p.toString(), null, "parent directory " + p.parent() + " does not exist");
    }
    if (dryRun) {
      layer.put(key(p, false), new Layered(FileType.DIRECTORY, null, mode, uid, gid, null));
    } else {
      root.createDirectory(key(p, false),
          FileMetadata.builder(FileType.DIRECTORY).mode(mode).uid(uid).gid(gid).build());
    }
    effect(Kind.DIRECTORY_CREATED, p.toString(), String.format("%04o %d:%d", mode, uid, gid));
  }

  /** Creates {@code dir} and its missing parents with {@code mode} and owner; returns the ones created, top first. */
  List<ImagePath> mkdirs(ImagePath dir, int mode, int uid, int gid) throws IOException {
    List<ImagePath> missing = new ArrayList<>();
    for (ImagePath p = dir; !p.isRoot() && !stat(p, true).isPresent(); p = p.parent()) {
      missing.add(0, p);
    }
    for (ImagePath p : missing) {
      mkdir(p, mode, uid, gid);
    }
    return missing;
  }

  void chmod(ImagePath p, int mode) throws IOException {
    FileMetadata m = stat(p, true).orElseThrow(() -> new NoSuchFileException(p.toString()));
    if (dryRun) {
      ImagePath k = key(p, true);
      Layered l = layer.get(k);
      layer.put(k, new Layered(m.type(), l == null ? null : l.content(), mode, m.uid(), m.gid(), null));
    } else {
      root.setMode(p, mode);
    }
    effect(Kind.MODE_CHANGED, p.toString(), String.format("%04o", mode));
  }

  void chown(ImagePath p, int uid, int gid) throws IOException {
    FileMetadata m = stat(p, true).orElseThrow(() -> new NoSuchFileException(p.toString()));
    if (dryRun) {
      ImagePath k = key(p, true);
      Layered l = layer.get(k);
      layer.put(k, new Layered(m.type(), l == null ? null : l.content(), m.mode(), uid, gid, null));
    } else {
      root.setOwner(key(p, true), uid, gid);
    }
    effect(Kind.OWNER_CHANGED, p.toString(), uid + ":" + gid);
  }

  /** Makes {@code link} a symlink to {@code target}, replacing a symlink already there; parents are created 0755. */
  void symlink(ImagePath link, String target) throws IOException {
    Optional<FileMetadata> m = stat(link, false);
    if (m.isPresent()) {
      if (m.get().type() != FileType.SYMLINK) {
        throw new java.nio.file.FileAlreadyExistsException(link.toString(), null, "exists and is not a symlink");
      }
      if (readSymlink(link).equals(target)) {
        return;
      }
      delete(link);
    }
    mkdirs(link.parent(), 0755, 0, 0);
    if (dryRun) {
      layer.put(key(link, false), new Layered(FileType.SYMLINK, null, 0777, 0, 0, target));
    } else {
      root.createSymlink(key(link, false), target);
    }
    effect(Kind.SYMLINK_CREATED, link.toString(), "-> " + target);
  }

  /** Deletes a file or symlink (not followed). */
  void delete(ImagePath p) throws IOException {
    if (dryRun) {
      if (stat(p, false).isEmpty()) {
        throw new NoSuchFileException(p.toString());
      }
      layer.put(key(p, false), new Layered(null, null, 0, 0, 0, null));
    } else {
      root.delete(p);
    }
    effect(Kind.FILE_DELETED, p.toString(), "");
  }
}
