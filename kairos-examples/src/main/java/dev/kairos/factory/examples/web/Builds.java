package dev.kairos.factory.examples.web;

import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.examples.cli.KairosFactoryCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The build queue: at most {@code maxConcurrent} builds run at once, each in its own JVM
 * ({@link BuildProcess}) with a directory of its own under {@code DATA/builds/ID} that the server
 * claims ({@link OwnedDirectory}); at most {@code maxQueued} wait. Every state change and
 * progress event is stored before it is announced, so a restart loses nothing.
 */
final class Builds implements AutoCloseable {
  /** How long a cancelled build has to stop after SIGTERM before it is killed. */
  static final long STOP_SECONDS = 30;

  private final BuildStore store;
  private final Path data;
  private final int maxQueued;
  private final ExecutorService runners;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  /** Notified on every stored event (SSE streams wait on it). */
  private final Object changed = new Object();
  private volatile boolean closing;

  /** A running build's process, once started, and whether it was cancelled. */
  private static final class Running {
    volatile Process process;
    volatile boolean cancelled;
  }

  Builds(BuildStore store, Path data, int maxConcurrent, int maxQueued) throws IOException {
    this.store = store;
    this.data = data;
    this.maxQueued = maxQueued;
    this.runners = Executors.newFixedThreadPool(maxConcurrent, r -> {
      Thread t = new Thread(r, "build-runner");
      t.setDaemon(true);
      return t;
    });
    Files.createDirectories(data.resolve("builds"));
    // A build that was running when the server stopped cannot be resumed: its process is gone.
    Instant now = Instant.now();
    for (String id : store.interruptRunning(now)) {
      event(id, "state", Map.of("state", "interrupted"));
    }
    for (BuildStore.Build b : store.queued()) {
      runners.submit(() -> run(b.id()));
    }
  }

  /**
   * Queues a checked request; returns the new build's id.
   *
   * @throws ApiError 429 when the queue is full
   */
  synchronized String submit(BuildRequest request, String requestJson) throws IOException {
    if (store.count("queued") >= maxQueued) {
      throw new ApiError(429, "the build queue is full (" + maxQueued + " waiting); try again later");
    }
    String id = UUID.randomUUID().toString();
    store.add(id, requestJson, Instant.now());
    event(id, "state", Map.of("state", "queued"));
    runners.submit(() -> run(id));
    return id;
  }

  /**
   * Cancels a queued or running build and waits until it has stopped (its processes ended, its
   * mounts gone, as when the CLI gets SIGTERM).
   *
   * @throws ApiError 404 for an unknown build, 409 for a finished one
   */
  BuildStore.Build cancel(String id) throws IOException, InterruptedException {
    Process p;
    synchronized (this) {
      BuildStore.Build b = store.get(id).orElseThrow(() -> notFound(id));
      if (b.state().equals("queued")) {
        finish(id, "cancelled", null, null);
        return store.get(id).orElseThrow();
      }
      Running r = running.get(id);
      if (!b.state().equals("running") || r == null) {
        throw new ApiError(409, "build " + id + " is " + b.state() + ": only a queued or running build can be cancelled");
      }
      r.cancelled = true;
      p = r.process;
    }
    if (p != null) {
      stop(p);
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS * 2);
    synchronized (changed) {
      while (running.containsKey(id) && System.nanoTime() < end) {
        changed.wait(200);
      }
    }
    return store.get(id).orElseThrow();
  }

  /** SIGTERM (the CLI's own clean stop), then SIGKILL to the tree if it does not end in time. */
  private static void stop(Process p) throws InterruptedException {
    // Through its handle: Process.destroy() would also close our end of its output, and the runner
    // reading it would fail with "Stream closed" instead of reading the build's last events.
    p.toHandle().destroy();
    if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
    }
  }

  static ApiError notFound(String id) {
    return new ApiError(404, "no build with id '" + id + "'");
  }

  /** Waits up to {@code millis} for a new event of any build. */
  void awaitChange(long millis) throws InterruptedException {
    synchronized (changed) {
      changed.wait(millis);
    }
  }

  Path buildDirectory(String id) {
    return data.resolve("builds").resolve(id);
  }

  private void run(String id) {
    Running r = new Running();
    BuildRequest request;
    synchronized (this) {
      try {
        BuildStore.Build b = store.get(id).orElse(null);
        if (b == null || !b.state().equals("queued") || closing) {
          return;
        }
        store.started(id, Instant.now());
        running.put(id, r);
        event(id, "state", Map.of("state", "running"));
      } catch (IOException | RuntimeException e) {
        return;
      }
    }
    try {
      // Checked again: what it names (a base directory) may have gone while it waited.
      request = BuildRequest.parse(Api.parse(store.get(id).orElseThrow().request()));
    } catch (IOException | RuntimeException e) {
      String why = e instanceof ApiError a && !a.findings.isEmpty()
          ? a.findings.stream().map(f -> f.path() + ": " + f.message()).reduce((x, y) -> x + "\n" + y).orElse("")
          : e.toString();
      try {
        Files.createDirectories(buildDirectory(id));
        appendLog(buildDirectory(id).resolve("build.log"), "kairos-factory web: the request is no longer valid:\n"
            + why + "\n");
        finish(id, "failed", null, null);
      } catch (IOException again) {
        // recorded as interrupted at the next start at worst
      } finally {
        running.remove(id);
        signal();
      }
      return;
    }
    String state = "failed";
    Integer exit = null;
    String result = null;
    Path log = buildDirectory(id).resolve("build.log");
    try (OwnedDirectory dir = OwnedDirectory.claim(buildDirectory(id), List.of())) {
      Path inputs = Files.createDirectories(dir.path().resolve("inputs"));
      Path out = Files.createDirectories(dir.path().resolve("artifacts"));
      Path keys = data.resolve("keys");
      if (request.needsKeys()) {
        ensureKeys(keys, log);
      }
      List<String> args = request.cliArgs(inputs, out, dir.path().resolve("work"), data.resolve("cache"), keys, false);
      appendLog(log, "$ kairos-factory " + String.join(" ", args) + "\n");
      List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
          System.getProperty("java.class.path"), BuildProcess.class.getName()));
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(Redirect.appendTo(log.toFile()));
      Process p;
      synchronized (this) {
        if (r.cancelled || closing) {
          throw new InterruptedException("cancelled before it started");
        }
        p = pb.start();
        r.process = p;
      }
      // Our end of its standard input stays open while we live: when it closes, the build stops.
      OutputStream keepOpen = p.getOutputStream();
      JsonNode end = null;
      try (BufferedReader lines = p.inputReader(StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          JsonNode e;
          try {
            e = Api.JSON.readTree(line);
          } catch (RuntimeException bad) {
            appendLog(log, line + "\n");
            continue;
          }
          if ("result".equals(e.path("type").asString())) {
            end = e;
          } else {
            store.addEvent(id, e.path("type").asString(), line, Instant.now());
            signal();
          }
        }
      }
      exit = p.waitFor();
      keepOpen.close();
      if (end != null && end.get("result") != null && !end.get("result").isNull()) {
        result = Api.json(end.get("result"));
      }
      state = r.cancelled ? "cancelled" : exit == 0 ? "succeeded" : "failed";
      if (state.equals("succeeded")) {
        recordArtifacts(id, request, dir.path());
      }
      if (closing) {
        return; // the server is stopping: the next start marks the build interrupted
      }
      // The image's root the CLI leaves in its work directory is not an artifact here.
      dir.delete("work");
    } catch (InterruptedException e) {
      state = r.cancelled ? "cancelled" : "failed";
    } catch (IOException | RuntimeException e) {
      appendLog(log, "kairos-factory web: error: " + e + "\n");
      state = r.cancelled ? "cancelled" : "failed";
    } finally {
      if (!closing) {
        try {
          finish(id, state, exit, result);
        } catch (IOException e) {
          appendLog(log, "kairos-factory web: cannot record the end of the build: " + e + "\n");
        }
      }
      running.remove(id);
      signal();
    }
  }

  /** The server's Secure Boot keys for signing UKIs, made once with the CLI's {@code genkey}. */
  private static synchronized void ensureKeys(Path keys, Path log) throws IOException {
    if (Files.isDirectory(keys)) {
      return;
    }
    StringWriter text = new StringWriter();
    PrintWriter w = new PrintWriter(text);
    int exit = KairosFactoryCli.execute(w, w, "genkey", "-o", keys.toString());
    w.flush();
    appendLog(log, text.toString());
    if (exit != 0) {
      throw new IOException("cannot make the Secure Boot keys for the UKI (genkey exit " + exit + ")");
    }
  }

  private void recordArtifacts(String id, BuildRequest request, Path dir) throws IOException {
    for (String kind : request.artifacts) {
      Path at = dir.resolve("artifacts").resolve(BuildRequest.ARTIFACTS.get(kind));
      if (Files.isRegularFile(at)) {
        store.addArtifact(id, row(kind, at.getFileName().toString(), dir, at));
      } else if (Files.isDirectory(at)) {
        // A directory (OCI layout, netboot set): each file, named by its place in it.
        List<Path> files;
        try (Stream<Path> s = Files.walk(at)) {
          files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
          String name = at.getFileName() + "_" + at.relativize(f).toString().replace('/', '_');
          store.addArtifact(id, row(kind, name, dir, f));
        }
      }
    }
  }

  private static BuildStore.ArtifactRow row(String kind, String name, Path dir, Path file) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        sha.update(buf, 0, n);
      }
    }
    return new BuildStore.ArtifactRow(name, kind, dir.relativize(file).toString(), Files.size(file),
        HexFormat.of().formatHex(sha.digest()));
  }

  private void finish(String id, String state, Integer exit, String result) throws IOException {
    store.finished(id, state, Instant.now(), exit, result);
    event(id, "state", Map.of("state", state));
  }

  private void event(String id, String type, Map<String, Object> data) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.putAll(data);
    store.addEvent(id, type, Api.json(m), Instant.now());
    signal();
  }

  private void signal() {
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  private static void appendLog(Path log, String text) {
    try {
      Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is best effort; the build's state is recorded regardless
    }
  }

  /** Stops the running builds' processes (they show as interrupted at the next start) and the runners. */
  @Override
  public void close() throws IOException {
    closing = true;
    runners.shutdownNow();
    for (Running r : running.values()) {
      Process p = r.process;
      if (p != null) {
        try {
          stop(p);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
