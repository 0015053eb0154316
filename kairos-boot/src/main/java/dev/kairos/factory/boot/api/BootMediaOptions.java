package dev.kairos.factory.boot.api;

import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.boot.internal.host.ToolTimeout;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The options every boot medium of this module shares (the live ISO, the raw disk and its cloud
 * images, the netboot set, the UKI ISO, the signed UKI): where intermediate files go, the time
 * every output is clamped to, what EFI boots, how long a host tool may run, the user's
 * cloud-config and how the root becomes a squashfs. Immutable; a target takes one with
 * {@code options(...)}, and each medium uses the options that apply to it.
 *
 * <pre>{@code
 * BootMediaOptions opts = BootMediaOptions.builder()
 *     .workDirectory(Path.of("/var/tmp/kairos-work"))
 *     .cloudConfig(Files.readString(Path.of("cloud-config.yaml")))
 *     .efiLoader(EfiLoader.IMAGE_SHIM)
 *     .build();
 * build.output(LiveIso.to(Path.of("out/kairos.iso")).options(opts));
 * build.output(RawDisk.to(Path.of("out/kairos.raw")).options(opts));
 * }</pre>
 */
public final class BootMediaOptions {
  /** A host tool's time limit unless {@link Builder#toolTimeout} says otherwise. */
  public static final Duration DEFAULT_TOOL_TIMEOUT = Duration.ofMinutes(10);

  /** Every option at its default (declared after what the builder's defaults read, so they are set). */
  public static final BootMediaOptions DEFAULTS = builder().build();

  private final Path workDirectory;
  private final SourceDate sourceDate;
  private final EfiLoader efiLoader;
  private final Duration toolTimeout;
  private final String cloudConfig;
  private final SquashfsWriter squashfs;

  private BootMediaOptions(Builder b) {
    this.workDirectory = b.workDirectory;
    this.sourceDate = b.sourceDate;
    this.efiLoader = b.efiLoader;
    this.toolTimeout = b.toolTimeout;
    this.cloudConfig = b.cloudConfig;
    this.squashfs = b.squashfs;
  }

  /** A builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.workDirectory = workDirectory;
    b.sourceDate = sourceDate;
    b.efiLoader = efiLoader;
    b.toolTimeout = toolTimeout;
    b.cloudConfig = cloudConfig;
    b.squashfs = squashfs;
    return b;
  }

  /**
   * The directory intermediate files go to, left in place afterwards. When empty, each target
   * makes a hidden directory beside its output and removes it when done.
   */
  public Optional<Path> workDirectory() {
    return Optional.ofNullable(workDirectory);
  }

  /** The time every output is clamped to; when empty, that of the image being written. */
  public Optional<SourceDate> sourceDate() {
    return Optional.ofNullable(sourceDate);
  }

  /** The source date to use for {@code image}: the one set here, else the image's. */
  public SourceDate sourceDateFor(BuiltImage image) {
    return sourceDate != null ? sourceDate : image.sourceDate();
  }

  /** What EFI boot files start (default {@link EfiLoader#AUTO}). */
  public EfiLoader efiLoader() {
    return efiLoader;
  }

  /** The time limit of each host tool run (grub-mkimage, mke2fs, mksquashfs). */
  public Duration toolTimeout() {
    return toolTimeout;
  }

  /** The user's cloud-config, if one is set. */
  public Optional<String> cloudConfig() {
    return Optional.ofNullable(cloudConfig);
  }

  /** The squashfs writer, if one is set. */
  public Optional<SquashfsWriter> squashfs() {
    return Optional.ofNullable(squashfs);
  }

  /** The squashfs writer to use: the one set here, else the Java writer (zstd, 1 MiB blocks) clamped to {@code date}. */
  public SquashfsWriter squashfsFor(SourceDate date) {
    return squashfs != null ? squashfs
        : SquashfsWriter.inJava(SquashfsOptions.builder().compression(SquashfsCompression.ZSTD).sourceDate(date).build());
  }

  @Override
  public String toString() {
    return "BootMediaOptions[work=" + workDirectory + ", sourceDate=" + sourceDate + ", efiLoader=" + efiLoader
        + ", toolTimeout=" + toolTimeout + ", cloudConfig=" + (cloudConfig == null ? "none" : cloudConfig.length() + " chars")
        + ", squashfs=" + squashfs + "]";
  }

  /** Collects options; each setter checks its value at once. */
  public static final class Builder {
    private Path workDirectory;
    private SourceDate sourceDate;
    private EfiLoader efiLoader = EfiLoader.AUTO;
    private Duration toolTimeout = DEFAULT_TOOL_TIMEOUT;
    private String cloudConfig;
    private SquashfsWriter squashfs;

    private Builder() {}

    /** A host directory for intermediate files (created if missing, left in place). */
    public Builder workDirectory(Path dir) {
      this.workDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Clamps every time in the outputs; default the image's source date. */
    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /**
     * What EFI boot files start: by default the image's signed shim and GRUB when it has them
     * (Secure Boot machines with Microsoft's keys boot it), else GRUB made on the host.
     */
    public Builder efiLoader(EfiLoader loader) {
      this.efiLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** The time limit of each host tool run; must be positive. */
    public Builder toolTimeout(Duration timeout) {
      this.toolTimeout = ToolTimeout.requirePositive(timeout);
      return this;
    }

    /**
     * The user's cloud-config (the live ISO's {@code /config.yaml}, the raw disk's
     * {@code 90_custom.yaml}).
     *
     * @throws IllegalArgumentException if it is blank or does not start with {@code #cloud-config}
     */
    public Builder cloudConfig(String yaml) {
      if (yaml == null || yaml.isBlank()) {
        throw new IllegalArgumentException("cloud-config: set but empty");
      }
      if (!yaml.startsWith("#cloud-config")) {
        String first = yaml.lines().findFirst().orElse("");
        throw new IllegalArgumentException("cloud-config: must start with '#cloud-config', starts with '"
            + (first.length() > 60 ? first.substring(0, 60) + "..." : first) + "'");
      }
      this.cloudConfig = yaml;
      return this;
    }

    /** How the root becomes a squashfs; default the Java writer, zstd, 1 MiB blocks. */
    public Builder squashfs(SquashfsWriter writer) {
      this.squashfs = Objects.requireNonNull(writer, "writer");
      return this;
    }

    /** The options; the builder is left as it is. */
    public BootMediaOptions build() {
      return new BootMediaOptions(this);
    }
  }
}
