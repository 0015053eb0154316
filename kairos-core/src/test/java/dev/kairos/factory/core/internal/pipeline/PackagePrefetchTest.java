package dev.kairos.factory.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kairos.factory.core.internal.pipeline.PackagePrefetch.Job;
import dev.kairos.factory.core.internal.pipeline.PackagePrefetch.Limits;
import dev.kairos.factory.core.internal.pipeline.PackagePrefetch.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefetch's HTTP part against a server on 127.0.0.1: files in parallel up to the limit, each
 * checked by hash and size, a cap, retries only for what may pass, and no temporary file left.
 */
class PackagePrefetchTest {
  private static final Limits FAST = new Limits(4, 1L << 30, Duration.ofSeconds(5), Duration.ofSeconds(5),
      Duration.ofSeconds(60), 3);

  @TempDir
  Path archives;

  private Path partial;
  private HttpServer server;
  private ExecutorService serverThreads;
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger mostActive = new AtomicInteger();
  private volatile long delayMillis;

  @BeforeEach
  void start() throws IOException {
    partial = Files.createDirectory(archives.resolve("partial"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    serverThreads = Executors.newFixedThreadPool(8);
    server.setExecutor(serverThreads);
    server.createContext("/", this::serve);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  /** {@code /NAME} answers NAME's content; {@code /missing*} 404; {@code /flaky*} 503 on its first request; {@code /down*} always 503. */
  private void serve(HttpExchange x) throws IOException {
    String name = x.getRequestURI().getPath().substring(1);
    int n = requests.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    int now = active.incrementAndGet();
    mostActive.accumulateAndGet(now, Math::max);
    try {
      Thread.sleep(delayMillis);
      if (name.startsWith("missing") || name.startsWith("down") || name.startsWith("flaky") && n == 1) {
        x.sendResponseHeaders(name.startsWith("missing") ? 404 : 503, -1);
        return;
      }
      byte[] body = content(name);
      x.getResponseHeaders().add("Last-Modified", LAST_MODIFIED);
      x.sendResponseHeaders(200, body.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      active.decrementAndGet();
      x.close();
    }
  }

  /** Every file's Last-Modified, which a fetched file takes as its time, as apt dates its downloads. */
  private static final String LAST_MODIFIED = "Mon, 04 Dec 2023 10:15:30 GMT";

  private static byte[] content(String name) {
    return ("package file " + name + "\n").repeat(1000).getBytes(StandardCharsets.UTF_8);
  }

  private Job job(String name) {
    byte[] c = content(name);
    return job(name, c.length, sha256(c));
  }

  private Job job(String name, long size, String sha256) {
    return new Job(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + name),
        archives.resolve(name + ".deb"), partial, size, "SHA256", sha256);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> left() throws IOException {
    try (var s = Files.list(partial)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  @Test
  void fetchesSeveralAtATimeUpToTheLimitEachInPlaceWithItsContent() throws IOException {
    delayMillis = 300;
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      jobs.add(job("pkg" + i));
    }
    long start = System.nanoTime();
    Result r = PackagePrefetch.fetch(jobs, FAST);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(r.left()).isEmpty();
    assertThat(r.fetched()).hasSize(8);
    for (Job j : jobs) {
      assertThat(Files.readAllBytes(j.target())).isEqualTo(content(j.uri().getPath().substring(1)));
      assertThat(Files.getLastModifiedTime(j.target()).toInstant()).isEqualTo(java.time.Instant.parse("2023-12-04T10:15:30Z"));
    }
    assertThat(r.bytes()).isEqualTo(jobs.stream().mapToLong(Job::size).sum());
    assertThat(mostActive.get()).isBetween(2, 4);
    assertThat(millis).as("8 files of 300 ms, 4 at a time").isLessThan(8 * 300);
    assertThat(left()).isEmpty();
  }

  @Test
  void aFileWhoseHashDiffersIsNotPutInPlaceButLeftToApt() throws IOException {
    Job bad = job("pkg", content("pkg").length, "00".repeat(32));
    Result r = PackagePrefetch.fetch(List.of(bad, job("good")), FAST);

    assertThat(bad.target()).doesNotExist();
    assertThat(archives.resolve("good.deb")).exists();
    assertThat(r.left()).singleElement().asString().contains("/pkg").contains("SHA256").contains("the index gives 0000");
    assertThat(requests.get("pkg").get()).as("a wrong hash is not tried again").isEqualTo(1);
    assertThat(left()).isEmpty();
  }

  @Test
  void aServerSendingMoreThanTheIndexSaysIsCutOffAndLeftToApt() throws IOException {
    Job j = job("pkg", 100, sha256(content("pkg")));
    Result r = PackagePrefetch.fetch(List.of(j), FAST);

    assertThat(j.target()).doesNotExist();
    assertThat(r.left()).singleElement().asString().contains("more than the 100 bytes");
    assertThat(left()).isEmpty();
  }

  @Test
  void filesPastTheByteCapAreNotAskedForAndLeftToApt() throws IOException {
    Job a = job("a");
    Job b = job("b");
    Job c = job("c");
    Limits cap = new Limits(4, a.size() + b.size() + c.size() / 2, FAST.connectTimeout(), FAST.responseTimeout(),
        FAST.deadline(), 3);
    Result r = PackagePrefetch.fetch(List.of(a, b, c), cap);

    assertThat(r.fetched()).containsExactly(a.target(), b.target());
    assertThat(c.target()).doesNotExist();
    assertThat(requests).doesNotContainKey("c");
    assertThat(r.left()).singleElement().asString().contains("/c").contains("cap of " + cap.maxBytes());
    assertThat(left()).isEmpty();
  }

  @Test
  void a404IsLeftToAptAtOnceAndA503IsTriedAgainABoundedNumberOfTimes() throws IOException {
    Result r = PackagePrefetch.fetch(List.of(job("missing"), job("flaky"), job("down")), FAST);

    assertThat(archives.resolve("missing.deb")).doesNotExist();
    assertThat(archives.resolve("down.deb")).doesNotExist();
    assertThat(r.fetched()).containsExactly(archives.resolve("flaky.deb"));
    assertThat(requests.get("missing").get()).isEqualTo(1);
    assertThat(requests.get("flaky").get()).isEqualTo(2);
    assertThat(requests.get("down").get()).isEqualTo(FAST.attempts());
    assertThat(r.left()).hasSize(2).anySatisfy(l -> assertThat(l).contains("/missing").contains("HTTP 404"))
        .anySatisfy(l -> assertThat(l).contains("/down").contains("HTTP 503").contains("3 attempts"));
    assertThat(left()).isEmpty();
  }

  @Test
  void aHostThatRefusesConnectionsIsTriedForOneFileOnly() throws IOException {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    List<Job> jobs = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      Job j = job(name);
      jobs.add(new Job(URI.create("http://127.0.0.1:" + closed + "/" + name), j.target(), partial, j.size(), "SHA256",
          j.hex()));
    }
    Limits one = new Limits(1, 1L << 30, FAST.connectTimeout(), FAST.responseTimeout(), FAST.deadline(), 3);
    Result r = PackagePrefetch.fetch(jobs, one);

    assertThat(r.fetched()).isEmpty();
    assertThat(r.left()).hasSize(3);
    assertThat(r.left().get(0)).contains("/a: cannot connect to 127.0.0.1: java.net.ConnectException");
    assertThat(r.left().subList(1, 3)).allSatisfy(l -> assertThat(l).contains("cannot connect to 127.0.0.1 (an earlier file found)"));
    assertThat(left()).isEmpty();
  }

  @Test
  void fetchesStillRunningAtTheDeadlineAreStoppedAndLeaveNothing() throws IOException {
    delayMillis = 3_000;
    Limits soon = new Limits(4, 1L << 30, FAST.connectTimeout(), Duration.ofSeconds(10), Duration.ofMillis(500), 3);
    long start = System.nanoTime();
    Result r = PackagePrefetch.fetch(List.of(job("slow1"), job("slow2")), soon);

    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_500);
    assertThat(r.fetched()).isEmpty();
    assertThat(r.left()).hasSize(2).allSatisfy(l -> assertThat(l).contains("not done within"));
    assertThat(archives.resolve("slow1.deb")).doesNotExist();
    assertThat(left()).isEmpty();
  }

  @Test
  void anHttpDateIsReadAndAnythingElseIsNone() {
    assertThat(PackagePrefetch.httpDate("Mon, 04 Dec 2023 10:15:30 GMT")).contains(java.time.Instant.parse("2023-12-04T10:15:30Z"));
    assertThat(PackagePrefetch.httpDate("yesterday")).isEmpty();
  }
}
