package dev.kairos.factory.core.api.yip;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.internal.yip.CmdlineParser;
import dev.kairos.factory.core.internal.yip.YipBinder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads yip documents: the stage language of Kairos ({@code stages:} documents and
 * {@code #cloud-config} files), from text, a file, a directory or a kernel command line.
 *
 * <pre>{@code
 * List<YipDocument> docs = Yip.lenient().load(Path.of("extensions"));   // *.yaml, *.yml, sorted
 * for (YipDiagnostic d : YipValidator.validate(docs, false)) {
 *   System.err.println(d);            // extensions/10-users.yaml:7:5: warning: unknown key 'systctl' ...
 * }
 * YipReport r = YipExecutor.builder().runner(runner).build().run(rootFs, "after-install", docs);
 * }</pre>
 *
 * <p>Parsing follows yip's decoder: only the first YAML document of a stream counts, duplicate keys
 * and type mismatches reject the document ({@link InvalidInputException} with file, line and
 * column), unknown keys are findings on the document ({@link YipDocument#diagnostics()}) or, with
 * {@link #strict()}, errors. See the package documentation for the behaviour we chose where yip's
 * own is a defect.
 */
public final class Yip {
  private static final Yip LENIENT = new Yip(false);
  private static final Yip STRICT = new Yip(true);

  private final boolean strict;

  private Yip(boolean strict) {
    this.strict = strict;
  }

  /** Unknown keys are warnings, as yip ignores them. */
  public static Yip lenient() {
    return LENIENT;
  }

  /** Unknown keys are errors. */
  public static Yip strict() {
    return STRICT;
  }

  /** Whether unknown keys are errors. */
  public boolean isStrict() {
    return strict;
  }

  /**
   * Parses one document from text. A {@code #cloud-config} header selects the cloud-config
   * dialect.
   *
   * @param source a name for messages and step identifiers, such as the file name
   * @throws InvalidInputException for bad YAML, a type mismatch, or (strict) an unknown key
   */
  public YipDocument parse(String text, String source) throws InvalidInputException {
    return YipBinder.parse(source, text, strict);
  }

  /**
   * Loads a file (whatever its extension) or a directory: walked recursively, entries of each
   * directory in byte order of their names (so {@code 10_a.yaml} before {@code 9_b.yaml}), only
   * names ending in {@code .yaml} or {@code .yml} (case matters; hidden files included),
   * symlinked directories not followed. The documents come back in that order. The first file
   * that fails to parse fails the whole load, as it fails the whole directory in yip.
   *
   * @throws NoSuchFileException if nothing is at {@code path} (it is never taken as YAML text)
   */
  public List<YipDocument> load(Path path) throws IOException {
    List<YipDocument> out = new ArrayList<>();
    for (Path file : files(path)) {
      out.add(parse(read(file), file.toString()));
    }
    return out;
  }

  /** The yip files {@link #load} reads at {@code path}, in its order. */
  static List<Path> files(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no yip file or directory there");
    }
    List<Path> out = new ArrayList<>();
    if (Files.isDirectory(path)) {
      walk(path, out, 0);
    } else {
      out.add(path);
    }
    return out;
  }

  /** The largest yip file read; far above any real configuration, well below a heap. */
  static final long MAX_FILE_BYTES = 64L << 20;

  static String read(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new InvalidInputException(file.toString(), "larger than the limit of " + (MAX_FILE_BYTES >> 20)
          + " MiB for a yip file");
    }
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static void walk(Path dir, List<Path> out, int depth) throws IOException {
    if (depth > 64) {
      throw new InvalidInputException(dir.toString(), "directory tree deeper than 64 levels");
    }
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(entries::add);
    }
    entries.sort((a, b) -> ImagePath.compareNames(a.getFileName().toString(), b.getFileName().toString()));
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        walk(p, out, depth + 1);
      } else if ((name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(p)) {
        out.add(p);
      }
    }
  }

  /**
   * Parses a kernel command line in yip's dot-notation ({@code stages.boot[0].commands[0]="echo hi"});
   * keys outside {@code stages}/{@code name} (such as {@code console=}) are ignored. All values are
   * strings, so integer and boolean fields cannot be set this way (the document is rejected, as in
   * yip). The source is {@code <cmdline>}.
   */
  public YipDocument parseCmdline(String cmdline) throws InvalidInputException {
    String source = "<cmdline>";
    return YipBinder.bind(source, CmdlineParser.parse(source, cmdline), false, strict);
  }
}
