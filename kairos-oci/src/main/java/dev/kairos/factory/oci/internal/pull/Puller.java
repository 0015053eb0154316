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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
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
   * Unpacks {@code image} into {@code root}: remote layers are first fetched into {@code store}
   * (several at a time), local ones are read where they are. Returns the base image record for
   * diff layers later; {@code reread} reads the blobs again after this call.
   */
  public BaseImage unpack(Origin origin, Resolved image, RootFs root, BlobStore store, BlobSource reread,
      String source) throws IOException {
    List<CompletableFuture<Void>> downloads = new ArrayList<>();
    ExecutorService pool = origin.remote() ? Pools.daemon("kairos-oci-pull", parallelism) : null;
    try {
      for (Descriptor d : image.layers()) {
        if (!origin.remote()) {
          downloads.add(CompletableFuture.completedFuture(null));
        } else if (store.has(d.digest(), d.size())) {
          emit(new KairosEvent.CacheHit("layer blob", d.digest()));
          downloads.add(CompletableFuture.completedFuture(null));
        } else {
          downloads.add(CompletableFuture.runAsync(() -> download(origin, d, store, source), pool));
        }
      }
      for (int i = 0; i < image.layers().size(); i++) {
        Descriptor d = image.layers().get(i);
        await(downloads.get(i));
        try (InputStream raw = origin.remote() ? store.open(d.digest()) : origin.open(d);
             InputStream in = new VerifyingInputStream(raw, d, source)) {
          new LayerUnpacker(root).apply(in, d.digest());
        } catch (DigestMismatchException e) {
          if (origin.remote()) {
            // A cached blob that went bad must not be trusted next time.
            java.nio.file.Files.deleteIfExists(store.path(d.digest()));
          }
          throw e;
        }
        emit(new KairosEvent.Progress("unpack " + source, i + 1, image.layers().size()));
      }
    } finally {
      downloads.forEach(f -> f.cancel(true));
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    return new BaseImage(image.config(), image.layers(), image.diffIds(), reread, origin.repository(),
        BaseSnapshot.of(root));
  }

  private void download(Origin origin, Descriptor d, BlobStore store, String source) {
    AtomicLong done = new AtomicLong();
    try (InputStream in = new FilterInputStream(origin.open(d)) {
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
    }) {
      store.put(in, d, source);
      emit(new KairosEvent.Progress("pull " + d.digest(), d.size(), d.size()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
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
