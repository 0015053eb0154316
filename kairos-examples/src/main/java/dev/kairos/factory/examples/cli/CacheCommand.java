package dev.kairos.factory.examples.cli;

import dev.kairos.factory.oci.api.OciStepCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** {@code cache ls|prune}: the step cache that {@code build} keeps under its {@code --cache} directory. */
@Command(name = "cache", description = "List or prune the step cache that build keeps under its --cache directory.",
    subcommands = {CacheCommand.Ls.class, CacheCommand.Prune.class})
final class CacheCommand extends Verb {
  @Override
  int run(Output out) {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** {@code --cache DIR}, as {@code build} takes it. */
  static final class Where {
    @Option(names = "--cache", paramLabel = "DIR", defaultValue = CacheOptions.DEFAULT_DIRECTORY,
        description = "The cache directory build uses (default: ${DEFAULT-VALUE}).")
    Path directory;

    OciStepCache steps() {
      return new BuildCache(directory).steps();
    }
  }

  /** {@code cache ls}: every entry, most recently used first. */
  @Command(name = "ls", description = "List the step cache's entries, most recently used first.")
  static final class Ls extends Verb {
    @picocli.CommandLine.Mixin Where where;

    @Override
    int run(Output out) throws Exception {
      OciStepCache cache = where.steps();
      List<OciStepCache.Entry> entries = cache.entries();
      long size = cache.size();
      List<Map<String, Object>> list = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (OciStepCache.Entry e : entries) {
        list.add(json(e));
        text.append(String.format(Locale.ROOT, "%s  %10s  used %s  %s%n", e.key().substring(0, 16),
            ProgressRenderer.amount(e.size()), e.lastUsed(), String.join(",", e.steps())));
      }
      text.append(String.format(Locale.ROOT, "%d entries, %s in %s (cap %s)", entries.size(),
          ProgressRenderer.amount(size), cache.directory(), ProgressRenderer.amount(cache.maxSize())));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("directory", cache.directory().toString());
      m.put("size", size);
      m.put("maxSize", cache.maxSize());
      m.put("entries", list);
      out.result(m, text.toString());
      return 0;
    }
  }

  /** {@code cache prune [--older-than D] [--max-size S]}. */
  @Command(name = "prune", description = "Remove entries unused for longer than --older-than, then the least recently"
      + " used until the cache fits --max-size (default: the cap build keeps it under).")
  static final class Prune extends Verb {
    @picocli.CommandLine.Mixin Where where;

    @Option(names = "--older-than", paramLabel = "D", converter = DurationConverter.class,
        description = "Remove entries not used for this long: 30s, 15m, 12h, 7d or an ISO-8601 duration (P7D).")
    Duration olderThan;

    @Option(names = "--max-size", paramLabel = "S", converter = SizeConverter.class,
        description = "Then remove the least recently used entries until the cache takes at most this: 500M, 20G, bytes.")
    Long maxSize;

    @Override
    int run(Output out) throws Exception {
      OciStepCache cache = where.steps();
      OciStepCache.Pruned p = cache.prune(Optional.ofNullable(olderThan),
          Optional.of(maxSize != null ? maxSize : cache.maxSize()));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("removed", p.removed());
      m.put("freedBytes", p.freedBytes());
      m.put("remaining", p.remaining());
      m.put("remainingBytes", p.remainingBytes());
      out.result(m, String.format(Locale.ROOT, "removed %d entries (%s); %d left (%s)", p.removed().size(),
          ProgressRenderer.amount(p.freedBytes()), p.remaining(), ProgressRenderer.amount(p.remainingBytes())));
      return 0;
    }
  }

  static Map<String, Object> json(OciStepCache.Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", e.key());
    m.put("parent", e.parent().orElse(null));
    m.put("steps", e.steps());
    m.put("layer", e.layer());
    m.put("size", e.size());
    m.put("created", e.created().toString());
    m.put("lastUsed", e.lastUsed().toString());
    m.put("inputs", e.inputs());
    return m;
  }

  /** {@code 30s}, {@code 15m}, {@code 12h}, {@code 7d}, or ISO-8601 ({@code P7D}, {@code PT12H}). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.strip().toLowerCase(Locale.ROOT);
      try {
        if (v.startsWith("p")) {
          return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        switch (v.charAt(v.length() - 1)) {
          case 's': return Duration.ofSeconds(n);
          case 'm': return Duration.ofMinutes(n);
          case 'h': return Duration.ofHours(n);
          case 'd': return Duration.ofDays(n);
          default: break;
        }
      } catch (RuntimeException e) {
        // falls through to the message below
      }
      throw new IllegalArgumentException("not a duration: '" + value + "' (e.g. 30s, 15m, 12h, 7d, P7D)");
    }
  }

  /** A byte count with an optional binary suffix: {@code 1048576}, {@code 500M}, {@code 20G}, {@code 1T}. */
  static final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?")
          .matcher(value.strip().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException("not a size: '" + value + "' (e.g. 500M, 20G, or bytes)");
      }
      int shift = switch (m.group(2)) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        case "t" -> 40;
        default -> 0;
      };
      long n = Long.parseLong(m.group(1));
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException("size too large: '" + value + "'");
      }
      return n << shift;
    }
  }
}
