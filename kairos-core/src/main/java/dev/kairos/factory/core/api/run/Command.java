package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.api.event.EventListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run inside an image: argument vector, environment, standard input, timeout and
 * where its output lines go. Immutable; made with {@link #of} or {@link #builder}.
 *
 * <pre>{@code
 * Command c = Command.builder("apt-get", "install", "-y", "dracut")
 *     .env("DEBIAN_FRONTEND", "noninteractive")
 *     .timeout(Duration.ofMinutes(20))
 *     .build();
 * }</pre>
 */
public final class Command {
  private final List<String> argv;
  private final Map<String, String> env;
  private final byte[] stdin;
  private final Duration timeout;
  private final String workingDirectory;
  private final EventListener output;

  private Command(Builder b) {
    this.argv = List.copyOf(b.argv);
    this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
    this.stdin = b.stdin.clone();
    this.timeout = b.timeout;
    this.workingDirectory = b.workingDirectory;
    this.output = b.output;
  }

  /** A command with no extra environment, no input and the default timeout of 30 minutes. */
  public static Command of(String... argv) {
    return builder(argv).build();
  }

  /** A command from a list of arguments. */
  public static Command of(List<String> argv) {
    return builder(argv.toArray(new String[0])).build();
  }

  /** A shell snippet, run as {@code /bin/sh -c script}. */
  public static Command shell(String script) {
    return of("/bin/sh", "-c", script);
  }

  /**
   * A builder for {@code argv}, with no extra environment, no input, working directory {@code /}
   * and a 30-minute timeout.
   *
   * @throws IllegalArgumentException when {@code argv} is empty or an argument holds a NUL
   */
  public static Builder builder(String... argv) {
    return new Builder(List.of(argv));
  }

  /** A builder holding this command's values, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(argv);
    b.env.putAll(env);
    b.stdin = stdin.clone();
    b.timeout = timeout;
    b.workingDirectory = workingDirectory;
    b.output = output;
    return b;
  }

  /** The program and its arguments; never empty. */
  public List<String> argv() {
    return argv;
  }

  /** Variables set on top of the runner's base environment. */
  public Map<String, String> env() {
    return env;
  }

  /** The bytes fed to standard input, a copy; empty for no input. */
  public byte[] stdin() {
    return stdin.clone();
  }

  /** How long the command may run before it is stopped; 30 minutes unless set. */
  public Duration timeout() {
    return timeout;
  }

  /** The in-image directory the command starts in. */
  public String workingDirectory() {
    return workingDirectory;
  }

  /** Receives each output line as a {@link dev.kairos.factory.core.api.event.KairosEvent.CommandOutput}. */
  public EventListener output() {
    return output;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    env.forEach((k, v) -> b.append(k).append('=').append(v).append(' '));
    return b.append(String.join(" ", argv)).toString();
  }

  /** Builds a {@link Command}, checking each value as it is set. */
  public static final class Builder {
    private final List<String> argv;
    private final Map<String, String> env = new LinkedHashMap<>();
    private byte[] stdin = new byte[0];
    private Duration timeout = Duration.ofMinutes(30);
    private String workingDirectory = "/";
    private EventListener output = EventListener.NONE;

    private Builder(List<String> argv) {
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("a command needs at least the program name");
      }
      for (String a : argv) {
        if (a == null || a.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("command argument is null or holds a NUL: " + argv);
        }
      }
      this.argv = new ArrayList<>(argv);
    }

    /**
     * Sets one environment variable, replacing an earlier value of the same name.
     *
     * @throws IllegalArgumentException when {@code name} is empty or holds {@code =}
     */
    public Builder env(String name, String value) {
      if (name == null || name.isEmpty() || name.contains("=")) {
        throw new IllegalArgumentException("bad environment variable name: " + name);
      }
      env.put(name, Objects.requireNonNull(value, "value of " + name));
      return this;
    }

    /** Sets each of {@code vars}, as {@link #env(String, String)} does. */
    public Builder env(Map<String, String> vars) {
      vars.forEach(this::env);
      return this;
    }

    /** The bytes fed to standard input (copied); default none. */
    public Builder stdin(byte[] input) {
      this.stdin = input.clone();
      return this;
    }

    /**
     * How long the command may run before it is stopped; default 30 minutes.
     *
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The in-image directory the command starts in; default {@code /}.
     *
     * @throws IllegalArgumentException when {@code inImageDir} is not absolute
     */
    public Builder workingDirectory(String inImageDir) {
      if (!inImageDir.startsWith("/")) {
        throw new IllegalArgumentException("working directory must be absolute: " + inImageDir);
      }
      this.workingDirectory = inImageDir;
      return this;
    }

    /** Where output lines go; default {@link EventListener#NONE}. */
    public Builder output(EventListener listener) {
      this.output = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Makes the command. */
    public Command build() {
      return new Command(this);
    }
  }
}
