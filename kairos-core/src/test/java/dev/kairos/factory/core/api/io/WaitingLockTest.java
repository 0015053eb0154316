package dev.kairos.factory.core.api.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class WaitingLockTest {
  @TempDir Path dir;

  @Test
  void anExclusiveHolderMakesAnotherThreadWait() throws Exception {
    Path file = dir.resolve("lock");
    CompletableFuture<WaitingLock> second;
    try (WaitingLock first = WaitingLock.exclusive(file)) {
      second = CompletableFuture.supplyAsync(() -> take(file, false));
      assertThat(waitsFor(second)).as("a second exclusive lock while the first is held").isTrue();
      assertThat(first.isShared()).isFalse();
    }
    second.get(30, TimeUnit.SECONDS).close();
  }

  @Test
  void sharedHoldersInTwoThreadsHoldAtOnceAndKeepOutAnExclusiveOne() throws Exception {
    Path file = dir.resolve("lock");
    try (WaitingLock a = WaitingLock.shared(file)) {
      WaitingLock b = CompletableFuture.supplyAsync(() -> take(file, true)).get(30, TimeUnit.SECONDS);
      CompletableFuture<WaitingLock> writer;
      try {
        writer = CompletableFuture.supplyAsync(() -> take(file, false));
        assertThat(waitsFor(writer)).isTrue();
      } finally {
        b.close();
      }
      assertThat(waitsFor(writer)).as("still held shared by the first thread").isTrue();
      a.close();
      writer.get(30, TimeUnit.SECONDS).close();
    }
  }

  @Test
  void oneThreadReleasingDoesNotDropTheLockAnotherThreadHolds() throws Exception {
    // POSIX drops a process's locks on a file when any of its descriptors of the file closes: the
    // first thread's release must leave the second thread's lock in force for other processes.
    Path file = dir.resolve("lock");
    WaitingLock a = WaitingLock.shared(file);
    WaitingLock b = CompletableFuture.supplyAsync(() -> take(file, true)).get(30, TimeUnit.SECONDS);
    a.close();
    assertThat(probe(file)).isEqualTo("held");
    b.close();
    assertThat(probe(file)).isEqualTo("free");
  }

  @Test
  void anotherProcessHoldingItExclusivelyMakesThisOneWaitAndTheOtherWayRound() throws Exception {
    Path file = dir.resolve("lock");
    Process child = child("hold", file);
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("locked");
    CompletableFuture<WaitingLock> mine = CompletableFuture.supplyAsync(() -> take(file, true));
    assertThat(waitsFor(mine)).as("a shared lock while another process holds it exclusively").isTrue();
    try (OutputStream in = child.getOutputStream()) {
      in.write('\n'); // let the child release
    }
    WaitingLock shared = mine.get(30, TimeUnit.SECONDS);
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

    // and now the child waits for this process
    Process second = child("hold", file);
    BufferedReader out2 = new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8));
    CountDownLatch locked = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try {
        if ("locked".equals(out2.readLine())) {
          locked.countDown();
        }
      } catch (IOException e) {
        // the assertion below fails then
      }
    });
    reader.start();
    assertThat(locked.await(1500, TimeUnit.MILLISECONDS)).as("the child locked while this process held it").isFalse();
    shared.close();
    assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
    try (OutputStream in = second.getOutputStream()) {
      in.write('\n');
    }
    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join();
  }

  // ------------------------------------------------------------------ helpers

  private static WaitingLock take(Path file, boolean shared) {
    try {
      return shared ? WaitingLock.shared(file) : WaitingLock.exclusive(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Whether {@code f} is still waiting a second on. */
  private static boolean waitsFor(CompletableFuture<?> f) throws Exception {
    try {
      f.get(1, TimeUnit.SECONDS);
      return false;
    } catch (TimeoutException e) {
      return true;
    }
  }

  private static Process child(String what, Path file) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(), what,
        file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** Whether another process could lock the file exclusively right now: "free" or "held". */
  private static String probe(Path file) throws Exception {
    Process p = child("probe", file);
    String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return line;
  }

  /** The other process: {@code hold FILE} locks, says "locked", releases on a line of input; {@code probe FILE} tries. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      Path file = Path.of(args[1]);
      if (args[0].equals("probe")) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          FileLock l = ch.tryLock();
          System.out.println(l == null ? "held" : "free");
        }
        return;
      }
      try (WaitingLock l = WaitingLock.exclusive(file)) {
        System.out.println("locked");
        System.out.flush();
        System.in.read();
      }
    }
  }
}
