package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.release.KairosRelease;
import dev.kairos.factory.core.api.run.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One concrete thing a step does to the image. Steps are planned as lists of actions (so a plan can
 * be printed before anything runs) and then applied in order.
 */
sealed interface Action {

  /** A one-line human description, as the printed plan shows it. */
  String describe();

  void apply(StepContext ctx) throws IOException;

  /** The in-image file this action writes, if it writes one. */
  default Optional<ImagePath> file() {
    return Optional.empty();
  }

  /** The command this action runs, if it runs one. */
  default Optional<Command> command() {
    return Optional.empty();
  }

  static WriteFile write(String path, String content, int mode) {
    return new WriteFile(ImagePath.of(path), content.getBytes(StandardCharsets.UTF_8), mode);
  }

  /** Writes a file (replacing a symlink or file there), then sets mode and root ownership. */
  record WriteFile(ImagePath path, byte[] content, int mode) implements Action {
    public WriteFile {
      Objects.requireNonNull(path, "path");
      content = content.clone();
    }

    @Override
    public String describe() {
      return "write " + path + " (" + String.format("%04o", mode) + ", " + content.length + " bytes)";
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      RootFs root = ctx.root();
      if (root.stat(path).map(m -> m.type() == FileType.SYMLINK).orElse(false)) {
        root.delete(path); // never write through a link into another file
      }
      root.write(path, content);
      root.setMode(path, mode);
      root.setOwner(path, 0, 0);
    }

    @Override
    public Optional<ImagePath> file() {
      return Optional.of(path);
    }
  }

  /** Creates a symlink, replacing a symlink or file at {@code link}. */
  record Link(ImagePath link, String target) implements Action {
    @Override
    public String describe() {
      return "link " + link + " -> " + target;
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      RootFs root = ctx.root();
      if (root.stat(link).isPresent() && !root.stat(link).get().type().equals(FileType.DIRECTORY)) {
        root.delete(link);
      }
      root.createDirectories(link.parent());
      root.createSymlink(link, target);
    }

    @Override
    public Optional<ImagePath> file() {
      return Optional.of(link);
    }
  }

  /** Creates a directory (and parents) and sets its mode. */
  record MakeDirectory(ImagePath path, int mode) implements Action {
    @Override
    public String describe() {
      return "mkdir " + path + " (" + String.format("%04o", mode) + ")";
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      ctx.root().createDirectories(path);
      ctx.root().setMode(path, mode);
    }
  }

  /** Removes a file, link or directory tree if it is there ({@code rm -rf}). */
  record Remove(ImagePath path) implements Action {
    @Override
    public String describe() {
      return "remove " + path;
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      ctx.root().deleteRecursively(path);
    }
  }

  /**
   * Removes the entries of {@code dir} whose names match the shell pattern {@code glob} (only
   * {@code *}), as {@code rm -rf dir/glob}; nothing if {@code dir} is missing.
   */
  record RemoveMatching(ImagePath dir, String glob) implements Action {
    @Override
    public String describe() {
      return "remove " + dir.resolve(glob);
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      if (!ctx.root().isDirectory(dir)) {
        return;
      }
      java.util.regex.Pattern p = java.util.regex.Pattern.compile(
          java.util.Arrays.stream(glob.split("\\*", -1)).map(java.util.regex.Pattern::quote)
              .collect(java.util.stream.Collectors.joining(".*")));
      for (String name : ctx.root().list(dir)) {
        if (p.matcher(name).matches()) {
          ctx.root().deleteRecursively(dir.resolve(name));
        }
      }
    }
  }

  /** Empties a regular file if it exists. */
  record Truncate(ImagePath path) implements Action {
    @Override
    public String describe() {
      return "truncate " + path;
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      if (ctx.root().isRegularFile(path)) {
        ctx.root().write(path, new byte[0]);
      }
    }
  }

  /** Runs a command in the image through the runner; a failure fails the step. */
  record Run(Command cmd) implements Action {
    @Override
    public String describe() {
      return "run " + cmd;
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      ctx.run(cmd);
    }

    @Override
    public Optional<Command> command() {
      return Optional.of(cmd);
    }
  }

  /** Merges keys into {@code /etc/kairos-release} (existing keys kept, these overwrite, sorted). */
  record MergeRelease(java.util.SortedMap<String, String> keys) implements Action {
    public MergeRelease {
      keys = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(keys));
    }

    @Override
    public String describe() {
      return "merge into " + KairosRelease.PATH + ": " + keys;
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      KairosRelease.merge(ctx.root(), keys);
    }

    @Override
    public Optional<ImagePath> file() {
      return Optional.of(KairosRelease.PATH);
    }
  }

  /**
   * Work decided when it runs (it looks at the image then); described for the plan.
   *
   * @param writes the file it may write, for the plan's file list
   */
  record Deferred(String description, Optional<ImagePath> writes, Work work) implements Action {
    Deferred(String description, Work work) {
      this(description, Optional.empty(), work);
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      work.apply(ctx);
    }

    @Override
    public Optional<ImagePath> file() {
      return writes;
    }
  }

  /**
   * Work that leaves the image exactly as it would be without it, only sooner: fetching the files
   * a later command would fetch itself. Planned and shown like any action, but no part of the step
   * cache's key (see {@code StepCacheRun}), since it changes no byte of the result.
   */
  record Help(String description, Work work) implements Action {
    @Override
    public String describe() {
      return description;
    }

    @Override
    public void apply(StepContext ctx) throws IOException {
      work.apply(ctx);
    }
  }

  /** The body of a {@link Deferred} or {@link Help} action. */
  @FunctionalInterface
  interface Work {
    void apply(StepContext ctx) throws IOException;
  }

  /** The commands in {@code actions}, in order. */
  static List<Command> commands(List<Action> actions) {
    return actions.stream().flatMap(a -> a.command().stream()).toList();
  }
}
