package dev.kairos.factory.oci.internal.pull;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.api.DigestMismatchException;
import dev.kairos.factory.oci.internal.image.BaseImage;
import dev.kairos.factory.oci.internal.image.BlobSource;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.image.Platform;
import dev.kairos.factory.oci.internal.image.VerifyingInputStream;
import dev.kairos.factory.oci.internal.layer.BaseSnapshot;
import dev.kairos.factory.oci.internal.layer.LayerUnpacker;
import dev.kairos.factory.oci.internal.util.Pools;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pulls an image from an {@link Origin} into a root: resolves an index to the wanted platform,
 * verifies manifest and config, downloads remote layers into a content-addressed store in parallel
 * (a layer already there is not transferred again), and unpacks the layers in order as each
 * arrives, verifying every blob's digest and size as it is read.
 */
public final class Puller {
  private static final int MAX_JSON = 4 << 20;
  private static final int MAX_INDEX_DEPTH = 4;
  private static final long PROGRESS_EVERY = 8L << 20;

  private final Platform platform;
  private final int parallelism;
  private final EventListener events;

  public Puller(Platform platform, int parallelism, EventListener events) {
    this.platform = platform;
    this.parallelism = parallelism;
    this.events = events;
  }

  /** The image chosen from an origin: manifest, config and layers. */
  public record Resolved(Descriptor manifest, ObjectNode config, List<Descriptor> layers, List<String> diffIds) {}

  /** Reads the top manifest (choosing from an index by platform), the manifest and the config. */
  public Resolved resolve(Origin origin, String source) throws IOException {
    Origin.Top top = origin.top();
    Descriptor desc = top.descriptor();
    byte[] json = top.json();
    for (int depth = 0; ; depth++) {
      ObjectNode doc = Json.parse(json, source);
      String type = desc.mediaType().isEmpty() ? doc.path("mediaType").asString("") : desc.mediaType();
      if (type.isEmpty()) {
        type = doc.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
      }
      if (MediaTypes.isIndex(type)) {
        if (depth >= MAX_INDEX_DEPTH) {
          throw new InvalidInputException(source, "image indexes nested deeper than " + MAX_INDEX_DEPTH);
        }
        desc = choose(doc, source);
        try (InputStream in = origin.open(desc)) {
          json = VerifyingInputStream.readAll(in, desc, source, MAX_JSON);
        }
        continue;
      }
      if (!MediaTypes.isManifest(type)) {
        throw new UnsupportedTargetException("manifest media type", type,
            List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.DOCKER_LIST));
      }
      Descriptor configDesc = Descriptor.parse(doc.path("config"), source + " config");
      ObjectNode config;
      try (InputStream in = origin.open(configDesc)) {
        config = Json.parse(VerifyingInputStream.readAll(in, configDesc, source, MAX_JSON), source + " config " + configDesc.digest());
      }
      List<Descriptor> layers = new ArrayList<>();
      for (JsonNode l : doc.path("layers")) {
        Descriptor d = Descriptor.parse(l, source + " layer");
        if (d.mediaType().contains("foreign")) {
          throw new UnsupportedTargetException("layer media type", d.mediaType(), List.of("OCI and Docker tar layers"));
        }
        layers.add(d.withMediaType(MediaTypes.ociLayerType(d.mediaType())).withAnnotations(java.util.Map.of()));
      }
      List<String> diffIds = new ArrayList<>();
      config.path("rootfs").path("diff_ids").forEach(n -> diffIds.add(n.asString("")));
      if (diffIds.size() != layers.size()) {
        throw new InvalidInputException(source, "the manifest lists " + layers.size() + " layers but the config "
            + diffIds.size() + " diff_ids");
      }
      return new Resolved(desc.withMediaType(type), config, layers, diffIds);
    }
  }

  private Descriptor choose(ObjectNode index, String source) throws IOException {
    List<String> offered = new ArrayList<>();
    for (JsonNode m : index.path("manifests")) {
      Descriptor d = Descriptor.parse(m, source + " index");
      if (d.platform().isEmpty()) {
        continue;
      }
      offered.add(d.platform().get().toString());
      if (platform.accepts(d.platform().get())) {
        return d.mediaType().isEmpty() ? d.withMediaType(MediaTypes.OCI_MANIFEST) : d;
      }
    }
    throw new UnsupportedTargetException("platform", platform + " (in " + source + ")", offered);
  }

  /**
   * Unpacks {@code image} into {@code root}, layer by layer in order. Remote layers also go into
   * {@code store}: the first missing one is unpacked as it downloads (written to the store on the
   * way, kept only if verified), later ones are fetched meanwhile, several at a time, and each is
   * unpacked as soon as the one before is done and it is complete; one that nobody has started by
   * then is streamed the same way. Local layers are read where they are. Returns the base image
   * record for diff layers later; {@code reread} reads the blobs again after this call.
   */
  public BaseImage unpack(Origin origin, Resolved image, RootFs root, BlobStore store, BlobSource reread,
      String source) throws IOException {
    int count = image.layers().size();
    List<CompletableFuture<Void>> prefetches = new ArrayList<>();
    List<AtomicBoolean> claimed = new ArrayList<>();
    ExecutorService pool = origin.remote() ? Pools.daemon("kairos-oci-pull", parallelism) : null;
    try {
      for (int i = 0; i < count; i++) {
        Descriptor d = image.layers().get(i);
        AtomicBoolean claim = new AtomicBoolean(!origin.remote());
        claimed.add(claim);
        if (origin.remote() && store.has(d.digest(), d.size())) {
          emit(new KairosEvent.CacheHit("layer blob", d.digest()));
          claim.set(true);
          prefetches.add(CompletableFuture.completedFuture(null));
        } else if (origin.remote() && i > 0) {
          // The first layer is streamed by the unpacking thread; the others are fetched ahead.
          prefetches.add(CompletableFuture.runAsync(() -> {
            if (claim.compareAndSet(false, true)) {
              download(origin, d, store, source);
            }
          }, pool));
        } else {
          prefetches.add(CompletableFuture.completedFuture(null));
        }
      }
      for (int i = 0; i < count; i++) {
        Descriptor d = image.layers().get(i);
        try {
          if (!origin.remote()) {
            try (VerifyingInputStream in = new VerifyingInputStream(origin.open(d), d, source)) {
              apply(root, in, d);
            }
          } else if (claimed.get(i).compareAndSet(false, true)) {
            try (BlobStore.Writer blob = store.writer();
                 VerifyingInputStream in = new VerifyingInputStream(new TeeInputStream(counted(origin, d), blob), d, source)) {
              apply(root, in, d);
              blob.commit(d, source);
              emit(new KairosEvent.Progress("pull " + d.digest(), d.size(), d.size()));
            }
          } else {
            await(prefetches.get(i));
            try (VerifyingInputStream in = new VerifyingInputStream(store.open(d.digest()), d, source)) {
              apply(root, in, d);
            }
          }
        } catch (DigestMismatchException e) {
          if (origin.remote()) {
            // A cached blob that went bad must not be trusted next time.
            java.nio.file.Files.deleteIfExists(store.path(d.digest()));
          }
          throw e;
        }
        emit(new KairosEvent.Progress("unpack " + source, i + 1, count, KairosEvent.Progress.Unit.LAYERS));
      }
    } finally {
      claimed.forEach(c -> c.set(true));
      prefetches.forEach(f -> f.cancel(true));
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    return new BaseImage(image.config(), image.layers(), image.diffIds(), reread, origin.repository(),
        BaseSnapshot.of(root), Optional.of(image.manifest().digest()));
  }

  /**
   * Unpacks a blob as it is verified. Layers are unpacked before their last byte is checked, so a
   * failure is first checked against the rest of the blob: a blob that is not the one named fails
   * as a digest mismatch, not as whatever its bad bytes made the unpacker say.
   */
  private static void apply(RootFs root, VerifyingInputStream in, Descriptor d) throws IOException {
    try {
      new LayerUnpacker(root).apply(in, d.digest());
    } catch (DigestMismatchException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      try {
        in.transferTo(OutputStream.nullOutputStream());
      } catch (DigestMismatchException mismatch) {
        mismatch.addSuppressed(e);
        throw mismatch;
      } catch (IOException ignored) {
        // the stream itself is broken: the first error says more
      }
      throw e;
    }
  }

  private void download(Origin origin, Descriptor d, BlobStore store, String source) {
    try (InputStream in = counted(origin, d)) {
      store.put(in, d, source);
      emit(new KairosEvent.Progress("pull " + d.digest(), d.size(), d.size()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Opens a remote blob, reporting progress every few MiB. */
  private InputStream counted(Origin origin, Descriptor d) throws IOException {
    AtomicLong done = new AtomicLong();
    return new FilterInputStream(origin.open(d)) {
      private long next = PROGRESS_EVERY;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0 && done.addAndGet(n) >= next) {
          next += PROGRESS_EVERY;
          emit(new KairosEvent.Progress("pull " + d.digest(), done.get(), d.size()));
        }
        return n;
      }
    };
  }

  /** Copies what is read into a blob being written. */
  private static final class TeeInputStream extends FilterInputStream {
    private final OutputStream copy;

    TeeInputStream(InputStream in, OutputStream copy) {
      super(in);
      this.copy = copy;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        copy.write(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.max(0, Math.min(n, 8192))];
      return Math.max(0, read(buf, 0, buf.length));
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  private static void await(CompletableFuture<Void> f) throws IOException {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while pulling");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof java.io.UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof IOException io) {
        throw io;
      }
      throw new KairosException("pull failed: " + c, c);
    }
  }

  private void emit(KairosEvent e) {
    synchronized (events) {
      events.onEvent(e);
    }
  }
}
