package dev.kairos.factory.core.internal.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Reads a process's combined output on its own thread, hands each line to a consumer as it comes
 * and keeps the last lines for the result. A line longer than {@link #MAX_LINE} bytes is cut into
 * pieces, so that output without newlines cannot fill the heap.
 */
public final class OutputPump implements Runnable {
  /** How many lines the tail keeps. */
  public static final int TAIL_LINES = 40;
  static final int MAX_LINE = 8192;

  private final InputStream in;
  private final Consumer<String> lines;
  private final Deque<String> tail = new ArrayDeque<>();
  private RuntimeException consumerFailure;

  public OutputPump(InputStream in, Consumer<String> lines) {
    this.in = in;
    this.lines = lines;
  }

  /** Starts pumping on a daemon thread and returns it. */
  public Thread start(String name) {
    Thread t = new Thread(this, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void run() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (b == '\n') {
            emit(line);
          } else {
            line.write(b);
            if (line.size() >= MAX_LINE) {
              emit(line);
            }
          }
        }
      }
    } catch (IOException e) {
      // The pipe closed under us (the process was killed): what was read is what there is.
    }
    if (line.size() > 0) {
      emit(line);
    }
  }

  private void emit(ByteArrayOutputStream bytes) {
    String s = bytes.toString(StandardCharsets.UTF_8);
    bytes.reset();
    if (s.endsWith("\r")) {
      s = s.substring(0, s.length() - 1);
    }
    synchronized (tail) {
      tail.addLast(s);
      if (tail.size() > TAIL_LINES) {
        tail.removeFirst();
      }
    }
    // A failing consumer stops getting lines, but the output is still drained (the process would
    // block on a full pipe otherwise); the failure is rethrown to the caller by rethrowConsumerFailure.
    synchronized (this) {
      if (consumerFailure != null) {
        return;
      }
    }
    try {
      lines.accept(s);
    } catch (RuntimeException e) {
      synchronized (this) {
        consumerFailure = e;
      }
    }
  }

  /** The last {@link #TAIL_LINES} lines, joined with newlines. */
  public String tail() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  /** Throws what the line consumer threw, if it did. */
  public synchronized void rethrowConsumerFailure() {
    if (consumerFailure != null) {
      throw consumerFailure;
    }
  }
}
