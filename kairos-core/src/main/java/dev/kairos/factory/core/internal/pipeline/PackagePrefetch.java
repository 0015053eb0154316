package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageManager.Download;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fetches the package files an install would download before it runs, several at a time: apt
 * downloads them one after another, and on a cold cache that is most of the install phase's wait.
 * The package manager says what it would fetch ({@link PackageManager#listDownloads}: apt's
 * {@code --print-uris} of the same command, in the image, so sources, mirror and options are the
 * install's own); each file is fetched over http(s) from the host, checked against the index's
 * hash and size, written under a temporary name in apt's {@code partial/} directory (where apt
 * downloads too) and renamed into place. The install then finds the files and verifies them again.
 *
 * <p>Off unless a build asks for it ({@code ImageBuilder.parallelDownloads}): the listing is one
 * more run of the package manager, which costs more than it saves where the mirror is near.
 *
 * <p>Only a help: whatever cannot be fetched here (another scheme, a proxy only apt knows, a
 * hash mismatch, a 404, the byte cap, a timeout) is left to the package manager and said in
 * verbose output; nothing here fails a build. Nothing is written that apt would not write.
 */
final class PackagePrefetch {
  /** How much, how many at a time, and how long. */
  record Limits(int connections, long maxBytes, Duration connectTimeout, Duration responseTimeout, Duration deadline,
      int attempts) {
    /** 4 connections, 4 GiB, 10 s to connect, 30 s to the response's head, 15 minutes for all, 3 attempts a file. */
    static final Limits DEFAULT = new Limits(4, 4L << 30, Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofMinutes(15), 3);

    Limits {
      if (connections < 1) {
        throw new IllegalArgumentException("a prefetch needs at least one connection, got " + connections);
      }
    }

    /** These limits with {@code n} connections. */
    Limits withConnections(int n) {
      return new Limits(n, maxBytes, connectTimeout, responseTimeout, deadline, attempts);
    }
  }

  /** One file to fetch: from {@code uri} to {@code target}, through a temporary file in {@code scratch}. */
  record Job(URI uri, Path target, Path scratch, long size, String algorithm, String hex) {}

  /** What a fetch did: the files it put in place, their bytes, and each file it left with why. */
  record Result(List<Path> fetched, long bytes, List<String> left) {}

  /** apt's hash names that are strong enough to trust a file by, as the JDK names them. */
  private static final Map<String, String> DIGESTS = Map.of("SHA256", "SHA-256", "SHA512", "SHA-512");

  /** The most of a listing read, in characters. */
  private static final int MAX_LISTING = 16 << 20;

  private PackagePrefetch() {}

  /**
   * An action that prefetches what {@code install} would download, {@code connections} at a time;
   * empty where the package manager cannot say.
   */
  static Optional<Action> before(PackageManager pm, Command install, int connections) {
    Limits limits = Limits.DEFAULT.withConnections(connections);
    return pm.listDownloads(install).map(list -> new Action.Help(
        "fetch the package files of the next install, " + connections + " at a time", c -> {
          try {
            prefetch(c, pm, list, limits);
          } catch (IOException e) {
            // a help only: the install downloads whatever is missing
            c.events().log(KairosEvent.Level.DEBUG, "prefetch: left to " + pm.name() + ": " + e);
          }
        }));
  }

  static void prefetch(StepContext ctx, PackageManager pm, Command list, Limits limits) throws IOException {
    // an image's apt prints about 100 bytes a file; a listing past this is not one to follow
    OutputText printed = new OutputText(MAX_LISTING);
    long start = System.nanoTime();
    ctx.events().log(KairosEvent.Level.DEBUG, "run: " + list);
    CommandResult r = ctx.runner().run(ctx.root(), list.toBuilder().output(printed).build());
    if (!r.succeeded()) {
      ctx.events().log(KairosEvent.Level.DEBUG, "prefetch: left to " + pm.name() + ": listing the downloads failed (exit "
          + r.exitCode() + "): " + r.outputTail());
      return;
    }
    List<Job> jobs = new ArrayList<>();
    List<String> left = new ArrayList<>();
    for (Download d : pm.downloads(printed.text())) {
      job(ctx, d).ifPresentOrElse(jobs::add, () -> left.add(d.uri() + ": not an http(s) file with a SHA-256 or"
          + " SHA-512 that apt's archives can take"));
    }
    long listed = System.nanoTime();
    Result got = fetch(jobs, limits);
    left.addAll(got.left());
    left.forEach(l -> ctx.events().log(KairosEvent.Level.DEBUG, "prefetch: left to " + pm.name() + ": " + l));
    if (!got.fetched().isEmpty() || !left.isEmpty()) {
      ctx.events().log(KairosEvent.Level.INFO, String.format(java.util.Locale.ROOT, "prefetched %d package files (%.1f MB)"
          + " in %.1f s, %d at a time, after listing them in %.1f s; %d left to %s", got.fetched().size(), got.bytes() / 1e6,
          (System.nanoTime() - listed) / 1e9, limits.connections(), (listed - start) / 1e9, left.size(), pm.name()));
    }
  }

  /** {@code d} as a job, when it is http(s), has a hash we check and a directory to go to without a file there yet. */
  private static Optional<Job> job(StepContext ctx, Download d) throws IOException {
    URI uri;
    try {
      uri = new URI(d.uri());
    } catch (java.net.URISyntaxException e) {
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null
        || !DIGESTS.containsKey(d.algorithm()) || d.path().isRoot()) {
      return Optional.empty();
    }
    // Resolved inside the image, so a symlinked directory cannot point the file at the host.
    ImagePath dir = d.path().parent();
    Path host = ctx.root().hostPath(dir, true);
    Path partial = host.resolve("partial");
    Path target = host.resolve(d.path().fileName());
    if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(partial, LinkOption.NOFOLLOW_LINKS)
        || Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(new Job(uri, target, partial, d.size(), d.algorithm(), d.hex()));
  }

  /**
   * Fetches {@code jobs}, {@link Limits#connections} at a time, until {@link Limits#maxBytes} (by
   * the sizes the jobs announce) or the deadline; a file that fails is deleted and listed in the
   * result. Never leaves a temporary file behind.
   */
  static Result fetch(List<Job> jobs, Limits limits) {
    List<String> left = new ArrayList<>();
    List<Job> taken = new ArrayList<>();
    long planned = 0;
    for (Job j : jobs) {
      if (j.size() > limits.maxBytes() - planned) {
        left.add(j.uri() + ": over the prefetch's cap of " + limits.maxBytes() + " bytes");
      } else {
        planned += j.size();
        taken.add(j);
      }
    }
    if (taken.isEmpty()) {
      return new Result(List.of(), 0, left);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(limits.connectTimeout())
        .followRedirects(HttpClient.Redirect.NORMAL).proxy(ProxySelector.getDefault()).build();
    AtomicBoolean stop = new AtomicBoolean(); // set when the fetch ends: a fetch still running puts nothing in place
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(limits.connections(), taken.size()), r -> {
      Thread t = new Thread(r, "kairos-prefetch");
      t.setDaemon(true);
      return t;
    });
    Set<String> unreachable = ConcurrentHashMap.newKeySet();
    List<Callable<Optional<String>>> tasks = taken.stream().<Callable<Optional<String>>>map(j -> () -> fetchOne(http, j,
        limits, stop, unreachable)).toList();
    List<Path> fetched = new ArrayList<>();
    long bytes = 0;
    try {
      List<Future<Optional<String>>> done = pool.invokeAll(tasks, limits.deadline().toMillis(), TimeUnit.MILLISECONDS);
      for (int i = 0; i < done.size(); i++) {
        Job j = taken.get(i);
        Optional<String> failure;
        try {
          failure = done.get(i).get();
        } catch (ExecutionException e) {
          failure = Optional.of(String.valueOf(e.getCause()));
        } catch (java.util.concurrent.CancellationException e) {
          failure = Optional.of("not done within " + limits.deadline().toSeconds() + " s");
        }
        if (failure.isPresent()) {
          left.add(j.uri() + ": " + failure.get());
        } else {
          fetched.add(j.target());
          bytes += j.size();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      left.add("the prefetch was interrupted");
    } finally {
      // cancelled fetches delete their temporary files as they stop; wait for that
      stop.set(true);
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new Result(List.copyOf(fetched), bytes, List.copyOf(left));
  }

  /**
   * Fetches one job, retrying what may pass on a second try; empty when the file is in place, else
   * why not. A host that cannot be connected to is noted in {@code unreachable} and not tried again
   * for any file: where only apt's own configuration reaches the mirror (a proxy), the prefetch
   * costs one connection timeout, not one a file.
   */
  private static Optional<String> fetchOne(HttpClient http, Job j, Limits limits, AtomicBoolean stop,
      Set<String> unreachable) throws InterruptedException {
    String why = "";
    for (int attempt = 1; attempt <= limits.attempts(); attempt++) {
      if (unreachable.contains(j.uri().getHost())) {
        return Optional.of("cannot connect to " + j.uri().getHost() + (why.isEmpty() ? " (an earlier file found)" : ": " + why));
      }
      if (attempt > 1) {
        Thread.sleep(500L * (attempt - 1));
      }
      try {
        return attemptOne(http, j, limits, stop); // an answer the server gave (4xx, a wrong hash or size) is final
      } catch (IOException e) {
        if (stop.get() || Thread.currentThread().isInterrupted()) {
          throw new InterruptedException(e.toString());
        }
        why = e.toString(); // a dropped connection, a timeout, a 5xx: worth another try
        if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) {
          unreachable.add(j.uri().getHost());
        }
      }
    }
    return Optional.of(why + " (" + limits.attempts() + " attempts)");
  }

  private static Optional<String> attemptOne(HttpClient http, Job j, Limits limits, AtomicBoolean stop)
      throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(j.uri()).timeout(limits.responseTimeout()).GET().build();
    // a short name: the package's file name and a suffix could pass the file system's name limit
    Path tmp = Files.createTempFile(j.scratch(), "prefetch-", ".kairos-prefetch");
    try {
      HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      MessageDigest digest = digest(j.algorithm());
      long n = 0;
      try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(tmp)) {
        if (resp.statusCode() >= 500) {
          throw new IOException("HTTP " + resp.statusCode());
        }
        if (resp.statusCode() != 200) {
          return Optional.of("HTTP " + resp.statusCode());
        }
        byte[] buf = new byte[1 << 16];
        for (int k; (k = in.read(buf)) >= 0; ) {
          if (stop.get()) {
            throw new InterruptedException("past the prefetch's deadline");
          }
          n += k;
          if (n > j.size()) {
            return Optional.of("more than the " + j.size() + " bytes the index gives");
          }
          digest.update(buf, 0, k);
          out.write(buf, 0, k);
        }
      }
      if (n != j.size()) {
        return Optional.of(n + " bytes, the index gives " + j.size());
      }
      String hex = HexFormat.of().formatHex(digest.digest());
      if (!hex.equals(j.hex())) {
        return Optional.of(j.algorithm() + " " + hex + ", the index gives " + j.hex());
      }
      // apt dates a file it downloads by the server's Last-Modified; so does this, so that the
      // archive holds the same file whoever fetched it
      Optional<Instant> modified = resp.headers().firstValue("last-modified").flatMap(PackagePrefetch::httpDate);
      if (modified.isPresent()) {
        Files.setLastModifiedTime(tmp, FileTime.from(modified.get()));
      }
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // a file system without Unix modes keeps its own
      }
      if (stop.get()) {
        throw new InterruptedException("past the prefetch's deadline");
      }
      Files.move(tmp, j.target(), StandardCopyOption.ATOMIC_MOVE);
      return Optional.empty();
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** An HTTP date ({@code Tue, 08 Dec 2026 01:00:00 GMT}), or empty when it is not one. */
  static Optional<Instant> httpDate(String text) {
    try {
      return Optional.of(ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(DIGESTS.get(algorithm));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no " + algorithm, e);
    }
  }
}
