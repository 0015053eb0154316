package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.WaitingLock;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.layer.BaseSnapshot;
import dev.kairos.factory.oci.internal.layer.Compression;
import dev.kairos.factory.oci.internal.layer.LayerPacker;
import dev.kairos.factory.oci.internal.layer.LayerUnpacker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link StepCache} in a local directory, made of the same deterministic layers an OCI image is:
 * each entry is one zstd diff layer (what changed since its parent entry, deletions as
 * whiteouts) in a content-addressed blob store, plus a small JSON record. Restoring unpacks the
 * chain's layers in order, after checking every blob's SHA-256 against its record: a damaged
 * entry is dropped and reported as a miss, never applied.
 *
 * <pre>
 * DIR/blobs/sha256/HEX   the layers, by digest (written under a temporary name, then renamed)
 * DIR/entries/KEY.json   one record per entry: parent, layer digest and size, steps, inputs;
 *                        its modification time is when it was last used (for eviction)
 * DIR/packed/KEY-R.json  a layer an OCI target packed from the root of entry KEY by recipe R
 *                        (its blob in blobs/), reused by a later build with the same final key;
 *                        pruned with its entry
 * DIR/notes/KEY.json     a small text kept under KEY (the package manager's dry run on the same
 *                        indexes, an install phase's lock) and the entry that owns it; pruned with it
 * DIR/lock               shared while restoring and saving, exclusive while pruning
 * </pre>
 *
 * <p>Safe for concurrent builds in several processes: entries and blobs appear by atomic rename,
 * and pruning (which {@link #save} does when the store grows past its size cap, by default
 * {@value #DEFAULT_MAX_SIZE_GIB} GiB, least recently used first) waits for restores and saves.
 *
 * <pre>{@code
 * OciStepCache cache = OciStepCache.at(Path.of("~/.cache/kairos-factory/steps")).withMaxSize(20L << 30);
 * cache.entries();                                   // what is there, most recently used first
 * cache.prune(Optional.of(Duration.ofDays(7)), Optional.empty());
 * }</pre>
 */
public final class OciStepCache implements StepCache {
  /** The size cap of a store made by {@link #at}, in GiB. */
  public static final long DEFAULT_MAX_SIZE_GIB = 10;

  /**
   * The format of the entries: 2 since layers keep times exactly (1 clamped them to the source
   * date). A record of another format is a miss, and pruning removes it.
   */
  static final int FORMAT = 2;

  private static final String MEDIA = "application/vnd.oci.image.layer.v1.tar+zstd";
  private static final int MAX_CHAIN = 10_000;

  private final Path dir;
  private final long maxSize;

  private OciStepCache(Path dir, long maxSize) {
    this.dir = dir;
    this.maxSize = maxSize;
  }

  /** The store in {@code dir} (created when first written), with the default size cap. */
  public static OciStepCache at(Path dir) {
    return new OciStepCache(Objects.requireNonNull(dir, "dir").toAbsolutePath(), DEFAULT_MAX_SIZE_GIB << 30);
  }

  /**
   * This store with a size cap of {@code bytes}: a save that takes it past the cap evicts the
   * least recently used entries.
   *
   * @throws IllegalArgumentException when {@code bytes} is not positive
   */
  public OciStepCache withMaxSize(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("the step cache's size cap must be positive, got " + bytes);
    }
    return new OciStepCache(dir, bytes);
  }

  /** The directory of the store. */
  public Path directory() {
    return dir;
  }

  /** The size cap in bytes. */
  public long maxSize() {
    return maxSize;
  }

  /**
   * One entry, as {@link #entries()} lists it.
   *
   * @param key the entry's key
   * @param parent the entry it builds on, if any
   * @param steps the steps whose result it holds
   * @param layer the digest of its layer
   * @param size the layer's size in bytes
   * @param created when it was saved
   * @param lastUsed when it was last saved or restored
   * @param inputs what went into the first key of its chain, by name
   */
  public record Entry(String key, Optional<String> parent, List<String> steps, String layer, long size,
      Instant created, Instant lastUsed, Map<String, String> inputs) {
    /** Copies the collections. */
    public Entry {
      steps = List.copyOf(steps);
      inputs = Collections.unmodifiableMap(new TreeMap<>(inputs));
    }
  }

  /**
   * What {@link #prune} removed.
   *
   * @param removed the keys of the entries removed
   * @param freedBytes the bytes of the blobs deleted
   * @param remaining the entries left
   * @param remainingBytes the bytes of the blobs left
   */
  public record Pruned(List<String> removed, long freedBytes, int remaining, long remainingBytes) {
    /** Copies the list. */
    public Pruned {
      removed = List.copyOf(removed);
    }
  }

  @Override
  public boolean restore(String key, Optional<String> from, RootFs root, EventListener events) throws IOException {
    if (!Files.isDirectory(entriesDir())) {
      return false;
    }
    List<Entry> chain;
    try (WaitingLock lock = lock(true)) {
      chain = chain(key, from, events);
      if (chain.isEmpty()) {
        return false;
      }
      Optional<Entry> damaged = Optional.empty();
      for (Entry e : chain) {
        if (!intact(e, events)) {
          damaged = Optional.of(e);
          break;
        }
      }
      if (damaged.isEmpty()) {
        FileTime now = FileTime.from(Instant.now());
        for (Entry e : chain) {
          Files.setLastModifiedTime(record(e.key()), now);
        }
        // The root changes only now that every layer of the chain is known to be whole.
        LayerUnpacker unpacker = new LayerUnpacker(root);
        for (Entry e : chain) {
          try (InputStream in = Files.newInputStream(blobs().path(e.layer()))) {
            unpacker.apply(in, e.layer());
          }
          events.onEvent(new KairosEvent.Progress("restore step cache " + shortKey(e.key()), e.size(), e.size()));
        }
        return true;
      }
      drop(damaged.get(), lock, events);
      return false;
    }
  }

  @Override
  public Mark mark(RootFs root) throws IOException {
    return new Snapshot(BaseSnapshot.of(root));
  }

  private record Snapshot(BaseSnapshot snapshot) implements Mark {}

  @Override
  public void save(StepCache.Entry entry, Mark since, RootFs root, EventListener events) throws IOException {
    if (!(since instanceof Snapshot s)) {
      throw new IllegalArgumentException("a mark of another store: " + since);
    }
    Files.createDirectories(entriesDir());
    try (WaitingLock lock = lock(true)) {
      // Exact, not clamped to the source date: a restored root must be the one the steps left (a
      // later step may judge a file by its time, as dracut's console-setup module does its keymap).
      LayerPacker.PackedLayer layer = LayerPacker.exact(Compression.ZSTD, events)
          .pack(root, Optional.of(s.snapshot()), blobs());
      ObjectNode n = Json.object();
      n.put("format", FORMAT);
      n.put("key", entry.key());
      entry.parent().ifPresent(p -> n.put("parent", p));
      n.put("layer", layer.descriptor().digest());
      n.put("size", layer.descriptor().size());
      n.put("diffId", layer.diffId());
      n.put("created", Instant.now().getEpochSecond());
      var steps = n.putArray("steps");
      entry.steps().forEach(steps::add);
      ObjectNode inputs = n.putObject("inputs");
      new TreeMap<>(entry.inputs()).forEach(inputs::put);
      byte[] json = Json.bytes(n);
      AtomicFile.write(record(entry.key()), tmp -> Files.write(tmp, json));
      events.log(KairosEvent.Level.INFO, "step cache: saved " + entry.key() + " (" + String.join(", ", entry.steps())
          + "; " + layer.descriptor().size() + " bytes)");
    }
    if (size() > maxSize) {
      prune(Optional.empty(), Optional.of(maxSize));
    }
  }

  /**
   * The layer an artifact target packed earlier from the root of step-cache key {@code key} by
   * {@code recipe} (how it was packed), put into {@code into}: after its blob's digest is checked,
   * as a restore checks its layers. Empty when none is kept, or when the kept one is damaged (then
   * it is dropped).
   */
  Optional<LayerPacker.PackedLayer> packedLayer(String key, String recipe, BlobStore into, EventListener events)
      throws IOException {
    Path record = packedRecord(key, recipe);
    if (!Files.isRegularFile(record)) {
      return Optional.empty();
    }
    try (WaitingLock lock = lock(true)) {
      if (read(key, EventListener.NONE).isEmpty()) {
        return Optional.empty(); // its entry was pruned: the record goes with the next prune
      }
      JsonNode n;
      try {
        n = Json.parse(Files.readAllBytes(record), record.toString());
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (InvalidInputException | RuntimeException e) {
        events.log(KairosEvent.Level.WARN, "step cache: record " + record + " is damaged; the layer is packed anew");
        return Optional.empty();
      }
      String digest = n.path("digest").asString();
      long size = n.path("size").asLong();
      String diffId = n.path("diffId").asString();
      String media = n.path("mediaType").asString();
      if (!digest.matches("sha256:[0-9a-f]{64}") || !diffId.matches("sha256:[0-9a-f]{64}") || media.isEmpty()) {
        events.log(KairosEvent.Level.WARN, "step cache: record " + record + " is damaged; the layer is packed anew");
        return Optional.empty();
      }
      Descriptor d = new Descriptor(media, digest, size);
      if (!into.has(digest, size)) {
        // the copy checks the digest as it goes: a damaged blob is never put into the output
        try (InputStream in = Files.newInputStream(blobs().path(digest))) {
          into.put(in, d, "the step cache's layer of " + shortKey(key));
        } catch (NoSuchFileException | DigestMismatchException e) {
          events.log(KairosEvent.Level.WARN, "step cache: the packed layer of " + shortKey(key) + " is damaged or gone ("
              + e.getMessage() + "); it is packed anew");
          lock.close();
          try (WaitingLock exclusive = lock(false)) {
            Files.deleteIfExists(record);
            Path blob = blobs().path(digest);
            // another build may have kept it anew meanwhile: only a blob still wrong goes
            if (Files.isRegularFile(blob) && !intact(new Entry(key, Optional.empty(), List.of(recipe), digest, size,
                Instant.EPOCH, Instant.EPOCH, Map.of()), EventListener.NONE)) {
              Files.delete(blob);
            }
          }
          return Optional.empty();
        }
      }
      Files.setLastModifiedTime(record, FileTime.from(Instant.now()));
      events.log(KairosEvent.Level.INFO, "step cache: reused the layer packed from " + shortKey(key) + " (" + recipe
          + "; " + size + " bytes)");
      return Optional.of(new LayerPacker.PackedLayer(d, diffId));
    }
  }

  /** Keeps {@code layer}, packed into {@code from} from the root of key {@code key} by {@code recipe}, for {@link #packedLayer}. */
  void keepPackedLayer(String key, String recipe, LayerPacker.PackedLayer layer, BlobStore from, EventListener events)
      throws IOException {
    try {
      Files.createDirectories(dir.resolve("packed"));
      try (WaitingLock lock = lock(true)) {
        if (read(key, EventListener.NONE).isEmpty()) {
          return; // no entry to hang it on (pruned meanwhile): nothing would ever prune it
        }
        Descriptor d = layer.descriptor();
        if (!blobs().has(d.digest(), d.size())) {
          try (InputStream in = from.open(d.digest())) {
            blobs().put(in, d, "the packed layer of " + shortKey(key));
          }
        }
        ObjectNode n = Json.object();
        n.put("key", key);
        n.put("recipe", recipe);
        n.put("mediaType", d.mediaType());
        n.put("digest", d.digest());
        n.put("size", d.size());
        n.put("diffId", layer.diffId());
        byte[] json = Json.bytes(n);
        AtomicFile.write(packedRecord(key, recipe), tmp -> Files.write(tmp, json));
      }
    } catch (IOException e) {
      // as with a step's entry: a cache that cannot take it does not fail the build
      events.log(KairosEvent.Level.WARN, "step cache: could not keep the packed layer of " + shortKey(key) + ": "
          + e.getMessage());
      return;
    }
    if (size() > maxSize) {
      prune(Optional.empty(), Optional.of(maxSize));
    }
  }

  private Path packedRecord(String key, String recipe) {
    record(key); // checks the key
    return dir.resolve("packed").resolve(key + "-" + BlobStore.digest(recipe.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .substring("sha256:".length(), "sha256:".length() + 16) + ".json");
  }

  /** The largest note {@link #note} reads: a lock of thousands of packages is far smaller. */
  private static final long MAX_NOTE = 16L << 20;

  @Override
  public Optional<String> note(String key) throws IOException {
    Path p = notePath(key);
    try {
      if (Files.size(p) > MAX_NOTE) {
        return Optional.empty();
      }
      JsonNode n = Json.parse(Files.readAllBytes(p), p.toString());
      if (!n.path("key").asString().equals(key) || !n.path("text").isString()) {
        return Optional.empty();
      }
      return Optional.of(n.path("text").asString());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (InvalidInputException | RuntimeException e) {
      return Optional.empty(); // damaged: a miss, made and kept anew
    }
  }

  @Override
  public void keepNote(String key, String owner, String text, EventListener events) throws IOException {
    record(owner); // checks the owner's key
    ObjectNode n = Json.object();
    n.put("key", key);
    n.put("owner", owner);
    n.put("text", text);
    byte[] json = Json.bytes(n);
    try {
      Files.createDirectories(dir.resolve("notes"));
      try (WaitingLock lock = lock(true)) {
        AtomicFile.write(notePath(key), tmp -> Files.write(tmp, json));
      }
    } catch (IOException e) {
      // as with an entry: a cache that cannot take it does not fail the build
      events.log(KairosEvent.Level.WARN, "step cache: could not keep note " + shortKey(key) + ": " + e.getMessage());
    }
  }

  private Path notePath(String key) {
    if (!key.matches("[0-9a-f]{16,128}")) {
      throw new IllegalArgumentException("not a step cache key: '" + key + "'");
    }
    return dir.resolve("notes").resolve(key + ".json");
  }

  /** Deletes the notes whose owner entry is gone (or that do not parse). */
  private void deleteOrphanNotes(Map<String, Entry> all) throws IOException {
    Path d = dir.resolve("notes");
    if (!Files.isDirectory(d)) {
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.json")) {
      for (Path p : s) {
        String owner;
        try {
          owner = Files.size(p) > MAX_NOTE ? "" : Json.parse(Files.readAllBytes(p), p.toString()).path("owner").asString();
        } catch (InvalidInputException | RuntimeException e) {
          owner = "";
        }
        if (!all.containsKey(owner)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** {@code DIR/indexes}, under an exclusive lock of its own ({@code DIR/indexes.lock}) while a build uses it. */
  @Override
  public Optional<KeptIndexes> packageIndexes() throws IOException {
    Path d = Files.createDirectories(dir.resolve("indexes"));
    WaitingLock lock = WaitingLock.exclusive(dir.resolve("indexes.lock"));
    return Optional.of(new KeptIndexes() {
      @Override
      public Path directory() {
        return d;
      }

      @Override
      public void close() throws IOException {
        lock.close();
      }
    });
  }

  /** Every whole entry, most recently used first. */
  public List<Entry> entries() throws IOException {
    if (!Files.isDirectory(entriesDir())) {
      return List.of();
    }
    try (WaitingLock lock = lock(true)) {
      List<Entry> out = new ArrayList<>(readAll(EventListener.NONE).values());
      out.sort(Comparator.comparing(Entry::lastUsed).reversed().thenComparing(Entry::key));
      return out;
    }
  }

  /** The bytes the store's blobs take. */
  public long size() throws IOException {
    Path b = dir.resolve("blobs").resolve("sha256");
    if (!Files.isDirectory(b)) {
      return 0;
    }
    long total = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(b)) {
      for (Path p : s) {
        total += Files.size(p);
      }
    }
    return total;
  }

  /**
   * Removes entries not used for longer than {@code olderThan}, then the least recently used ones
   * until the blobs take at most {@code maxBytes}; entries whose chain lost a link go with it, and
   * so do blobs no entry names. Waits for restores and saves under way.
   */
  public Pruned prune(Optional<Duration> olderThan, Optional<Long> maxBytes) throws IOException {
    if (!Files.isDirectory(entriesDir())) {
      return new Pruned(List.of(), 0, 0, size());
    }
    try (WaitingLock lock = lock(false)) {
      Map<String, Entry> all = readAll(EventListener.NONE);
      List<String> removed = new ArrayList<>();
      Instant now = Instant.now();
      for (Entry e : List.copyOf(all.values())) {
        if (olderThan.isPresent() && e.lastUsed().isBefore(now.minus(olderThan.get()))) {
          remove(all, e.key(), removed);
        }
      }
      removeUnusable(all, removed);
      removeBroken(all, removed);
      if (maxBytes.isPresent()) {
        List<Entry> lru = new ArrayList<>(all.values());
        lru.sort(Comparator.comparing(Entry::lastUsed).thenComparing(Entry::key));
        for (Entry e : lru) {
          if (referencedSize(all, packedLayers()) <= maxBytes.get()) {
            break;
          }
          if (all.containsKey(e.key())) {
            remove(all, e.key(), removed);
            removeBroken(all, removed);
          }
        }
      }
      Map<Path, String> packed = packedLayers();
      for (Map.Entry<Path, String> p : packed.entrySet()) {
        String name = p.getKey().getFileName().toString();
        if (!all.containsKey(name.substring(0, name.lastIndexOf('-')))) {
          Files.deleteIfExists(p.getKey()); // its entry is gone: so is the key it was reused by
        }
      }
      deleteOrphanNotes(all);
      long freed = deleteUnreferencedBlobs(all);
      return new Pruned(removed, freed, all.size(), size());
    }
  }

  // ---------------------------------------------------------------------------------------------

  private Path entriesDir() {
    return dir.resolve("entries");
  }

  private Path record(String key) {
    if (!key.matches("[0-9a-f]{16,128}")) {
      throw new IllegalArgumentException("not a step cache key: '" + key + "'");
    }
    return entriesDir().resolve(key + ".json");
  }

  private BlobStore blobs() {
    return new BlobStore(dir);
  }

  /** The store's lock: waits for other builds, in other processes and in this JVM. */
  private WaitingLock lock(boolean shared) throws IOException {
    Path file = dir.resolve("lock");
    return shared ? WaitingLock.shared(file) : WaitingLock.exclusive(file);
  }

  /** The entries from the one after {@code from} to {@code key}, oldest first; empty when the chain is not whole. */
  private List<Entry> chain(String key, Optional<String> from, EventListener events) throws IOException {
    List<Entry> chain = new ArrayList<>();
    Optional<String> at = Optional.of(key);
    while (at.isPresent() && !at.equals(from)) {
      Optional<Entry> e = read(at.get(), events);
      if (e.isEmpty() || chain.size() > MAX_CHAIN) {
        return List.of();
      }
      chain.add(0, e.get());
      at = e.get().parent();
    }
    return at.equals(from) ? chain : List.of();
  }

  private Optional<Entry> read(String key, EventListener events) throws IOException {
    Path p = record(key);
    byte[] data;
    Instant used;
    try {
      data = Files.readAllBytes(p);
      used = Files.getLastModifiedTime(p).toInstant();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      JsonNode n = Json.parse(data, p.toString());
      if (n.path("format").asInt(1) != FORMAT) {
        events.log(KairosEvent.Level.INFO, "step cache: entry " + shortKey(key) + " is of an older format ("
            + n.path("format").asInt(1) + "); not used");
        return Optional.empty();
      }
      String k = n.path("key").asString();
      String layer = n.path("layer").asString();
      if (!k.equals(key) || !layer.matches("sha256:[0-9a-f]{64}") || !n.path("size").isNumber()) {
        throw new InvalidInputException(p.toString(), "not a step cache record of " + key);
      }
      List<String> steps = new ArrayList<>();
      n.path("steps").forEach(s -> steps.add(s.asString()));
      Map<String, String> inputs = new HashMap<>();
      n.path("inputs").properties().forEach(e -> inputs.put(e.getKey(), e.getValue().asString()));
      Optional<String> parent = n.hasNonNull("parent") ? Optional.of(n.get("parent").asString()) : Optional.empty();
      return Optional.of(new Entry(k, parent, steps, layer, n.path("size").asLong(),
          Instant.ofEpochSecond(n.path("created").asLong()), used, inputs));
    } catch (InvalidInputException | RuntimeException e) {
      events.log(KairosEvent.Level.WARN, "step cache: record " + p + " is damaged (" + e.getMessage() + "); not used");
      return Optional.empty();
    }
  }

  private Map<String, Entry> readAll(EventListener events) throws IOException {
    Map<String, Entry> all = new TreeMap<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(entriesDir(), "*.json")) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        String key = name.substring(0, name.length() - ".json".length());
        if (key.matches("[0-9a-f]{16,128}")) {
          read(key, events).ifPresent(e -> all.put(key, e));
        }
      }
    }
    return all;
  }

  /** Whether the entry's blob is there, of its size, with its digest. */
  private boolean intact(Entry e, EventListener events) throws IOException {
    Path blob = blobs().path(e.layer());
    if (!Files.isRegularFile(blob) || Files.size(blob) != e.size()) {
      events.log(KairosEvent.Level.WARN, "step cache: entry " + e.key() + " lost its layer or has the wrong size");
      return false;
    }
    MessageDigest sha = BlobStore.sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(blob)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(e.layer())) {
      events.log(KairosEvent.Level.WARN, "step cache: entry " + e.key() + " is damaged: its layer hashes to " + actual
          + ", not " + e.layer());
      return false;
    }
    return true;
  }

  /** Deletes a damaged entry and its blob, so that the steps run and save it anew. */
  private void drop(Entry e, WaitingLock shared, EventListener events) throws IOException {
    shared.close();
    try (WaitingLock lock = lock(false)) {
      Files.deleteIfExists(record(e.key()));
      Path blob = blobs().path(e.layer());
      // another process may have saved it anew meanwhile: only a blob still wrong goes
      if (Files.isRegularFile(blob) && !intact(e, EventListener.NONE)) {
        Files.delete(blob);
      }
    }
    events.log(KairosEvent.Level.WARN, "step cache: dropped entry " + e.key() + "; its steps run again");
  }

  private void remove(Map<String, Entry> all, String key, List<String> removed) throws IOException {
    if (all.remove(key) != null) {
      Files.deleteIfExists(record(key));
      removed.add(key);
    }
  }

  /** Deletes the records that are no whole entry of this format (damaged, or older): they are never used. */
  private void removeUnusable(Map<String, Entry> all, List<String> removed) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(entriesDir(), "*.json")) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        String key = name.substring(0, name.length() - ".json".length());
        if (key.matches("[0-9a-f]{16,128}") && !all.containsKey(key)) {
          Files.deleteIfExists(p);
          removed.add(key);
        }
      }
    }
  }

  /** Removes entries whose parent is gone: they can never be restored. */
  private void removeBroken(Map<String, Entry> all, List<String> removed) throws IOException {
    boolean again = true;
    while (again) {
      again = false;
      for (Entry e : List.copyOf(all.values())) {
        if (e.parent().isPresent() && !all.containsKey(e.parent().get())) {
          remove(all, e.key(), removed);
          again = true;
        }
      }
    }
  }

  private long referencedSize(Map<String, Entry> all, Map<Path, String> packed) throws IOException {
    Map<String, Long> blobs = new HashMap<>();
    all.values().forEach(e -> blobs.put(e.layer(), e.size()));
    for (Map.Entry<Path, String> p : packed.entrySet()) {
      String name = p.getKey().getFileName().toString();
      Path blob = p.getValue().startsWith("sha256:") ? blobs().path(p.getValue()) : null;
      if (all.containsKey(name.substring(0, name.lastIndexOf('-'))) && blob != null && Files.isRegularFile(blob)) {
        blobs.put(p.getValue(), Files.size(blob));
      }
    }
    return blobs.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The records of packed layers ({@link #keepPackedLayer}) and the blob digest each names. */
  private Map<Path, String> packedLayers() throws IOException {
    Map<Path, String> out = new TreeMap<>();
    Path d = dir.resolve("packed");
    if (Files.isDirectory(d)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.json")) {
        for (Path p : s) {
          try {
            out.put(p, Json.parse(Files.readAllBytes(p), p.toString()).path("digest").asString());
          } catch (InvalidInputException | RuntimeException e) {
            out.put(p, ""); // damaged: names no blob
          }
        }
      }
    }
    return out;
  }

  private long deleteUnreferencedBlobs(Map<String, Entry> all) throws IOException {
    Set<String> keep = new HashSet<>();
    all.values().forEach(e -> keep.add(e.layer().substring("sha256:".length())));
    packedLayers().values().stream().filter(x -> x.startsWith("sha256:")).forEach(x -> keep.add(x.substring("sha256:".length())));
    Path b = dir.resolve("blobs").resolve("sha256");
    long freed = 0;
    if (Files.isDirectory(b)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(b)) {
        for (Path p : s) {
          String name = p.getFileName().toString();
          // partial blobs of live saves are named as temporaries; a save holds the shared lock, so none is live now
          if (!keep.contains(name)) {
            freed += Files.size(p);
            Files.delete(p);
          }
        }
      }
    }
    return freed;
  }

  private static String shortKey(String key) {
    return key.substring(0, Math.min(16, key.length()));
  }

  @Override
  public String toString() {
    return "step cache " + dir;
  }
}
