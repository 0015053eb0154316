package dev.kairos.factory.oci.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.layer.Compression;
import dev.kairos.factory.oci.internal.layer.LayerPacker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OCI-layer step store on disk: diff chains, digests checked before a restore, eviction, two processes. */
class OciStepCacheTest {
  static final SourceDate DATE = SourceDate.of(Instant.ofEpochSecond(1_700_000_000));
  static final String K1 = "1".repeat(64);
  static final String K2 = "2".repeat(64);

  @TempDir Path dir;
  List<KairosEvent> events = new ArrayList<>();

  @Test
  void aChainRestoresOntoTheBaseAsTheStepsLeftIt() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps"));
    RootFs built = base(dir.resolve("built"));
    saveTwoSteps(cache, built);

    RootFs fresh = base(dir.resolve("fresh"));
    assertThat(cache.restore(K2, Optional.empty(), fresh, events::add)).isTrue();
    assertThat(tree(fresh)).isEqualTo(tree(built));
    assertThat(fresh.exists(ImagePath.of("/etc/gone"))).isFalse();

    RootFs half = base(dir.resolve("half"));
    assertThat(cache.restore(K1, Optional.empty(), half, events::add)).isTrue();
    assertThat(half.readString(ImagePath.of("/etc/new"))).isEqualTo("one");
    assertThat(cache.restore(K2, Optional.of(K1), half, events::add)).isTrue();
    assertThat(tree(half)).isEqualTo(tree(built));
    assertThat(cache.restore(K1, Optional.of(K2), half, events::add)).as("not on K2's chain").isFalse();
    assertThat(cache.entries()).extracting(OciStepCache.Entry::key).containsExactlyInAnyOrder(K1, K2);
  }

  /**
   * A restored root is the root the steps left, to the last bit a build can see: every time to the
   * nanosecond (newer than the source date too: nothing is clamped), modes with setuid, owners,
   * xattrs, hard links (new names of old files too), and the times of directories whose files changed in place or
   * went away without the directory's own time changing.
   */
  @Test
  void aRestoredRootEqualsTheSavedOneInTimesToTheNanosecondModesOwnersXattrsAndHardLinks() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps"));
    RootFs built = exactBase(dir.resolve("built"));
    StepCache.Mark m = cache.mark(built);
    exactStep(built);
    cache.save(new StepCache.Entry(K1, Optional.empty(), List.of("step"), Map.of()), m, built, EventListener.NONE);

    RootFs fresh = exactBase(dir.resolve("fresh"));
    assertThat(exactTree(fresh)).isNotEqualTo(exactTree(built));
    assertThat(cache.restore(K1, Optional.empty(), fresh, events::add)).isTrue();
    assertThat(exactTree(fresh)).containsExactlyEntriesOf(exactTree(built));
  }

  /** An entry saved before layers kept exact times would restore the wrong times: it is a miss, and pruned. */
  @Test
  void anEntryOfAnOlderFormatIsAMissAndPruned() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps"));
    saveTwoSteps(cache, base(dir.resolve("built")));
    Path record = dir.resolve("steps/entries/" + K1 + ".json");
    String json = Files.readString(record);
    assertThat(json).containsPattern("\"format\"\\s*:\\s*" + OciStepCache.FORMAT);
    Files.writeString(record, json.replaceFirst("\"format\"\\s*:\\s*\\d+\\s*,", ""));

    RootFs fresh = base(dir.resolve("fresh"));
    Map<String, String> before = tree(fresh);
    assertThat(cache.restore(K2, Optional.empty(), fresh, events::add)).isFalse();
    assertThat(tree(fresh)).isEqualTo(before);
    assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("older format"));
    assertThat(cache.entries()).extracting(OciStepCache.Entry::key).containsExactly(K2);
    assertThat(cache.prune(Optional.empty(), Optional.empty()).removed()).containsExactlyInAnyOrder(K1, K2);
    assertThat(Files.exists(record)).isFalse();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aDamagedLayerIsDetectedBeforeTheRootChangesAndDropped() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps"));
    saveTwoSteps(cache, base(dir.resolve("built")));
    Path blob = blob(cache, K1);
    byte[] data = Files.readAllBytes(blob);
    data[data.length / 2] ^= 1;
    Files.write(blob, data);

    RootFs fresh = base(dir.resolve("fresh"));
    Map<String, String> before = tree(fresh);
    assertThat(cache.restore(K2, Optional.empty(), fresh, events::add)).isFalse();
    assertThat(tree(fresh)).as("the root is untouched").isEqualTo(before);
    assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("damaged").contains(K1));
    assertThat(Files.exists(blob)).isFalse();
    assertThat(cache.entries()).extracting(OciStepCache.Entry::key).doesNotContain(K1);
    // K2 lost its parent: it can never be restored, and a prune removes it
    assertThat(cache.restore(K2, Optional.empty(), fresh, events::add)).isFalse();
    assertThat(cache.prune(Optional.empty(), Optional.empty()).removed()).containsExactly(K2);
  }

  @Test
  void aPackedLayerIsReusedUnderItsKeyCheckedAndPrunedWithItsEntry() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps"));
    RootFs built = base(dir.resolve("built"));
    saveTwoSteps(cache, built);
    BlobStore packedInto = new BlobStore(dir.resolve("first"));
    LayerPacker.PackedLayer layer = new LayerPacker(DATE, Compression.GZIP, EventListener.NONE)
        .pack(built, Optional.empty(), packedInto);
    assertThat(cache.packedLayer(K2, "r", new BlobStore(dir.resolve("none")), events::add)).isEmpty();
    cache.keepPackedLayer(K2, "r", layer, packedInto, events::add);

    BlobStore second = new BlobStore(dir.resolve("second"));
    LayerPacker.PackedLayer again = cache.packedLayer(K2, "r", second, events::add).orElseThrow();
    assertThat(again).isEqualTo(layer);
    assertThat(Files.readAllBytes(second.path(layer.descriptor().digest())))
        .isEqualTo(Files.readAllBytes(packedInto.path(layer.descriptor().digest())));
    assertThat(cache.packedLayer(K2, "other recipe", new BlobStore(dir.resolve("third")), events::add)).isEmpty();
    assertThat(cache.packedLayer(K1, "r", new BlobStore(dir.resolve("third")), events::add)).isEmpty();

    // damaged: never copied out, dropped, and packed anew by the caller
    Path blob = dir.resolve("steps/blobs/sha256").resolve(layer.descriptor().digest().substring("sha256:".length()));
    byte[] data = Files.readAllBytes(blob);
    data[data.length / 2] ^= 1;
    Files.write(blob, data);
    BlobStore fourth = new BlobStore(dir.resolve("fourth"));
    assertThat(cache.packedLayer(K2, "r", fourth, events::add)).isEmpty();
    assertThat(fourth.has(layer.descriptor().digest(), layer.descriptor().size())).isFalse();

    // kept again, then pruned with its entry
    cache.keepPackedLayer(K2, "r", layer, packedInto, events::add);
    assertThat(cache.packedLayer(K2, "r", new BlobStore(dir.resolve("fifth")), events::add)).isPresent();
    cache.prune(Optional.of(Duration.ZERO), Optional.empty());
    assertThat(cache.size()).isZero();
    try (Stream<Path> left = Files.list(dir.resolve("steps/packed"))) {
      assertThat(left).isEmpty();
    }
  }

  /** A dry run's result or a lock, kept beside the entry that owns it: read back whole, pruned with it. */
  @Test
  void aNoteIsReadBackAndPrunedWithItsOwner() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps"));
    saveTwoSteps(cache, base(dir.resolve("built")));
    String n1 = "a".repeat(64);
    String n2 = "b".repeat(64);
    assertThat(cache.note(n1)).isEmpty();
    cache.keepNote(n1, K1, "line one\nline \"two\" \u00e9\n", events::add);
    cache.keepNote(n2, K2, "of the second", events::add);
    assertThat(cache.note(n1)).contains("line one\nline \"two\" \u00e9\n");
    assertThat(cache.note(n2)).contains("of the second");
    assertThatThrownBy(() -> cache.keepNote(n1, "../x", "t", events::add)).isInstanceOf(IllegalArgumentException.class);

    // a damaged note is a miss
    Files.writeString(dir.resolve("steps/notes").resolve(n2 + ".json"), "{\"key\": ");
    assertThat(cache.note(n2)).isEmpty();
    cache.keepNote(n2, K2, "of the second", events::add);

    // K2 evicted (the least recently used, with the cap at the size of K1's blob): its note goes, K1's stays
    Files.setLastModifiedTime(dir.resolve("steps/entries").resolve(K2 + ".json"), FileTime.from(Instant.EPOCH));
    cache.prune(Optional.empty(), Optional.of(cache.entries().stream().filter(e -> e.key().equals(K1))
        .mapToLong(OciStepCache.Entry::size).sum()));
    assertThat(cache.entries()).extracting(OciStepCache.Entry::key).containsExactly(K1);
    assertThat(cache.note(n2)).isEmpty();
    assertThat(cache.note(n1)).isPresent();
    cache.prune(Optional.empty(), Optional.of(0L));
    assertThat(cache.note(n1)).isEmpty();
  }

  @Test
  void pruneRemovesTheLeastRecentlyUsedFirstAndWhatLostItsParent() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps"));
    saveTwoSteps(cache, base(dir.resolve("built")));
    String k3 = "3".repeat(64);
    RootFs other = base(dir.resolve("other"));
    StepCache.Mark m = cache.mark(other);
    other.writeString(ImagePath.of("/srv/big"), "x".repeat(100_000));
    cache.save(new StepCache.Entry(k3, Optional.empty(), List.of("other"), Map.of()), m, other, events::add);
    Files.setLastModifiedTime(dir.resolve("steps/entries/" + K1 + ".json"), FileTime.from(Instant.now().minusSeconds(7200)));
    Files.setLastModifiedTime(dir.resolve("steps/entries/" + K2 + ".json"), FileTime.from(Instant.now().minusSeconds(3600)));

    assertThat(cache.prune(Optional.of(Duration.ofDays(1)), Optional.empty()).removed()).isEmpty();
    OciStepCache.Pruned p = cache.prune(Optional.empty(), Optional.of(cache.size() - 1));
    assertThat(p.removed()).containsExactly(K1, K2); // K1 is oldest; K2 builds on it
    assertThat(cache.entries()).extracting(OciStepCache.Entry::key).containsExactly(k3);
    assertThat(cache.prune(Optional.of(Duration.ZERO), Optional.empty()).removed()).containsExactly(k3);
    assertThat(cache.size()).isZero();
  }

  @Test
  void aSaveOverTheSizeCapEvictsTheLeastRecentlyUsed() throws Exception {
    OciStepCache cache = OciStepCache.at(dir.resolve("steps")).withMaxSize(1);
    saveTwoSteps(cache, base(dir.resolve("built")));
    assertThat(cache.entries()).isEmpty();
    assertThat(cache.size()).isZero();
  }

  /** Two processes save and restore the same keys at once: every restore is whole, no entry is damaged. */
  @Test
  void twoProcessesShareTheStoreWithoutCorruption() throws Exception {
    Path steps = dir.resolve("steps");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(),
          steps.toString(), dir.resolve("child" + i).toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("child" + i + ".log").toFile()).start());
    }
    for (int i = 0; i < children.size(); i++) {
      Process p = children.get(i);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("child" + i + ".log"))).isZero();
    }
    RootFs fresh = base(dir.resolve("fresh"));
    assertThat(OciStepCache.at(steps).restore(K2, Optional.empty(), fresh, events::add)).isTrue();
    assertThat(tree(fresh)).isEqualTo(tree(Child.expected(dir.resolve("expected"))));
  }

  /** A child process: ten rounds of saving both steps (or restoring them when present), checking each result. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      OciStepCache cache = OciStepCache.at(Path.of(args[0]));
      Path work = Path.of(args[1]);
      Map<String, String> expected = tree(expected(work.resolve("expected")));
      for (int round = 0; round < 10; round++) {
        RootFs root = base(work.resolve("r" + round));
        if (!cache.restore(K2, Optional.empty(), root, EventListener.NONE)) {
          saveTwoSteps(cache, root);
        }
        if (!tree(root).equals(expected)) {
          throw new AssertionError("round " + round + ": the root differs from the steps' result");
        }
        if (round % 3 == 2) {
          cache.prune(Optional.empty(), Optional.of(0L)); // the other process may be mid-restore
        }
      }
    }

    static RootFs expected(Path dir) throws IOException {
      RootFs r = base(dir);
      step1(r);
      step2(r);
      return r;
    }
  }

  // ------------------------------------------------------------------ helpers

  static RootFs base(Path dir) throws IOException {
    Files.createDirectories(dir);
    RootFs r = RootFs.at(dir);
    r.writeString(ImagePath.of("/etc/os-release"), "ID=debian\n");
    r.writeString(ImagePath.of("/etc/gone"), "to be deleted\n");
    r.writeString(ImagePath.of("/usr/bin/tool"), "v1");
    for (String p : List.of("/etc/os-release", "/etc/gone", "/usr/bin/tool", "/etc", "/usr/bin", "/usr")) {
      r.setMtime(ImagePath.of(p), Instant.ofEpochSecond(1_600_000_000));
    }
    return r;
  }

  static void step1(RootFs r) throws IOException {
    r.writeString(ImagePath.of("/etc/new"), "one");
    r.write(ImagePath.of("/usr/bin/tool"), "v2".getBytes(), 0755);
    r.delete(ImagePath.of("/etc/gone"));
  }

  static void step2(RootFs r) throws IOException {
    r.createSymlink(ImagePath.of("/usr/bin/alias"), "tool");
    r.writeString(ImagePath.of("/var/lib/state"), "two");
  }

  static void saveTwoSteps(OciStepCache cache, RootFs r) throws IOException {
    StepCache.Mark m = cache.mark(r);
    step1(r);
    cache.save(new StepCache.Entry(K1, Optional.empty(), List.of("step1"), Map.of("base", "test")), m, r,
        EventListener.NONE);
    m = cache.mark(r);
    step2(r);
    cache.save(new StepCache.Entry(K2, Optional.of(K1), List.of("step2"), Map.of()), m, r, EventListener.NONE);
  }

  /** Path to type, mode, owner, size, link target and content (mtimes are clamped by design). */
  static Map<String, String> tree(RootFs r) throws IOException {
    Map<String, String> m = new TreeMap<>();
    r.walk(ImagePath.ROOT, e -> {
      if (e.path().isRoot()) {
        return;
      }
      String content = "";
      if (e.type() == dev.kairos.factory.core.api.fs.FileType.REGULAR) {
        try (var in = e.openContent()) {
          content = new String(in.readAllBytes());
        }
      }
      m.put(e.path().toString(), e.type() + " " + Integer.toOctalString(e.metadata().mode()) + " "
          + e.metadata().uid() + " " + e.symlinkTarget().orElse("") + " " + content);
    });
    return m;
  }

  static final Instant BASE_TIME = Instant.ofEpochSecond(1_600_000_000, 111_111_111);

  /** A base with hard links and times to the nanosecond, the root directory's included. */
  static RootFs exactBase(Path dir) throws IOException {
    RootFs r = base(dir);
    r.writeString(ImagePath.of("/etc/console-setup/cached.kmap"), "keymap v1\n");
    r.writeString(ImagePath.of("/usr/lib/a"), "linked\n");
    r.createHardlink(ImagePath.of("/usr/lib/a-link"), ImagePath.of("/usr/lib/a"));
    r.writeString(ImagePath.of("/opt/m"), "first name of its link group in the base\n");
    List<String> all = new ArrayList<>();
    r.walk(ImagePath.ROOT, e -> all.add(e.path().toString()));
    for (int i = all.size() - 1; i >= 0; i--) { // children first: setting them leaves the parents' times
      r.setMtime(ImagePath.of(all.get(i)), BASE_TIME.plusNanos(i));
    }
    return r;
  }

  /** What a step may do that a restore must reproduce exactly. */
  static void exactStep(RootFs r) throws IOException {
    Instant late = DATE.instant().plusSeconds(86_400 * 400).plusNanos(123_456_789); // after the source date
    r.writeString(ImagePath.of("/etc/new"), "new\n");
    r.setMtime(ImagePath.of("/etc/new"), late);
    // written in place, as a keymap cache is: its directory's time does not change
    Files.writeString(r.root().resolve("etc/console-setup/cached.kmap"), "keymap v2\n", StandardOpenOption.APPEND);
    r.setMtime(ImagePath.of("/etc/console-setup/cached.kmap"), late.plusNanos(1));
    // deleted, and the directory's time put back (as tar or dpkg may leave it)
    r.delete(ImagePath.of("/etc/gone"));
    r.setMtime(ImagePath.of("/etc"), BASE_TIME.plusNanos(7));
    // a new name for a file of the base, sorting after its first name; and one sorting before
    r.createHardlink(ImagePath.of("/usr/lib/b"), ImagePath.of("/usr/lib/a"));
    r.createHardlink(ImagePath.of("/opt/a"), ImagePath.of("/opt/m"));
    r.write(ImagePath.of("/usr/bin/tool"), "tool".getBytes(StandardCharsets.UTF_8), 0755);
    r.setMetadata(ImagePath.of("/usr/bin/tool"), r.metadata(ImagePath.of("/usr/bin/tool")).toBuilder().mode(04755)
        .uid(1000).gid(1001).xattr("trusted.kairos", new byte[] {0, 1, 2, (byte) 0xff}).mtime(late.plusNanos(2)).build());
    r.createSymlink(ImagePath.of("/usr/bin/alias"), "tool");
    r.setMtime(ImagePath.of("/usr/bin/alias"), late.plusNanos(3));
    r.createDirectories(ImagePath.of("/run"));
    r.createSpecial(ImagePath.of("/run/fifo"), FileMetadata.builder(FileType.FIFO).mode(0600).mtime(late.plusNanos(4))
        .build());
    r.setMtime(ImagePath.of("/run/fifo"), late.plusNanos(4));
    r.setMtime(ImagePath.of("/usr/bin"), late.plusNanos(5));
    r.setMtime(ImagePath.of("/run"), late.plusNanos(6));
  }

  /**
   * Every entry of the tree, the root directory's included, with what {@code lstat} and the
   * xattrs say of it: type, mode, owner, size, mtime to the nanosecond, link target, content, and
   * the other names of its inode.
   */
  static Map<String, String> exactTree(RootFs r) throws IOException {
    Map<String, String> m = new TreeMap<>();
    Map<Object, List<String>> names = new TreeMap<>();
    Map<String, Object> inodes = new TreeMap<>();
    r.walk(ImagePath.ROOT, e -> {
      Path host = e.path().isRoot() ? r.root() : r.root().resolve(e.path().toRelativeString());
      Map<String, Object> a = Files.readAttributes(host, "unix:mode,uid,gid,size,ino,lastModifiedTime",
          LinkOption.NOFOLLOW_LINKS);
      FileTime mtime = (FileTime) a.get("lastModifiedTime");
      StringBuilder line = new StringBuilder().append(e.type()).append(' ')
          .append(Integer.toOctalString((Integer) a.get("mode"))).append(' ').append(a.get("uid")).append(':')
          .append(a.get("gid")).append(' ').append(a.get("size")).append(' ').append(mtime.toInstant())
          .append(' ').append(e.symlinkTarget().orElse(""));
      e.metadata().xattrs().forEach((k, v) -> line.append(' ').append(k).append('=').append(HexFormat.of().formatHex(v)));
      if (e.type() == FileType.REGULAR) {
        line.append(' ').append(HexFormat.of().formatHex(Files.readAllBytes(host)));
        names.computeIfAbsent(a.get("ino"), k -> new ArrayList<>()).add(e.path().toString());
        inodes.put(e.path().toString(), a.get("ino"));
      }
      m.put(e.path().toString(), line.toString());
    });
    inodes.forEach((path, ino) -> m.put(path, m.get(path) + " names " + names.get(ino)));
    return m;
  }

  static Path blob(OciStepCache cache, String key) throws IOException {
    String layer = cache.entries().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow().layer();
    try (Stream<Path> s = Files.list(cache.directory().resolve("blobs/sha256"))) {
      return s.filter(p -> layer.endsWith(p.getFileName().toString())).findFirst().orElseThrow();
    }
  }
}
