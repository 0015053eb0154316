package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.diff.MediaDiff;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.diff.DiffReport;
import dev.kairos.factory.core.api.diff.Difference;
import dev.kairos.factory.core.api.diff.TreeDiff;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.oci.api.ImageConfigDiff;
import dev.kairos.factory.oci.api.OciSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code diff A B}: what differs between two builds, by file and by structure. Exit codes as
 * diff(1): 0 identical, 1 different, 2 bad input (unreadable, not comparable).
 */
@Command(name = "diff", description = {
    "Explain the differences between two roots (directories), OCI images (layouts, archives or references),"
        + " ISOs or disk images: by file (content hash, mode, owner, times, xattrs, link target) and, for ISOs and"
        + " disks, by partition and file-system structure (GPT, FAT, ext2 superblock, ISO volume descriptors).",
    "Exit status: 0 identical, 1 different, 2 bad input."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:identical", "1:different", "2:bad input or usage error"})
final class DiffCommand extends Verb {
  @Parameters(index = "0", paramLabel = "A", description = "A directory, OCI layout (oci:DIR[:TAG]), OCI archive"
      + " (oci-archive:FILE), image reference, ISO or disk image.")
  String left;

  @Parameters(index = "1", paramLabel = "B", description = "The same kind of thing as A.")
  String right;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "200",
      description = "Print at most N differences (all are in --json; default: ${DEFAULT-VALUE}).")
  int limit;

  @Mixin RunPaths.Work work;

  @Override
  int run(Output out) throws Exception {
    if (limit < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
    }
    DiffReport report;
    try {
      report = compare(left, right);
    } catch (IOException e) {
      out.error(e, verbose);
      return KairosFactoryCli.USAGE;
    }
    out.result(json(report), report.explain(limit));
    return report.identical() ? 0 : 1;
  }

  private DiffReport compare(String a, String b) throws IOException {
    Optional<Path> pa = existing(a);
    Optional<Path> pb = existing(b);
    if (pa.isPresent() && pb.isPresent() && Files.isDirectory(pa.get()) && Files.isDirectory(pb.get())) {
      boolean layoutA = Files.isRegularFile(pa.get().resolve("oci-layout"));
      boolean layoutB = Files.isRegularFile(pb.get().resolve("oci-layout"));
      if (layoutA && layoutB) {
        return oci(OciSource.layout(pa.get(), null), OciSource.layout(pb.get(), null), pa.get(), pb.get());
      }
      if (layoutA != layoutB) {
        throw new KairosException("cannot compare an OCI layout with a plain directory: " + a + " and " + b);
      }
      return TreeDiff.compare(RootFs.at(pa.get()), RootFs.at(pb.get()));
    }
    if (pa.isPresent() && pb.isPresent() && Files.isRegularFile(pa.get()) && Files.isRegularFile(pb.get())) {
      Optional<MediaDiff.Kind> ka = MediaDiff.kindOf(pa.get());
      if (ka.isPresent() || MediaDiff.kindOf(pb.get()).isPresent()) {
        return MediaDiff.compare(pa.get(), pb.get());
      }
      if (isTar(pa.get()) && isTar(pb.get())) {
        return oci(OciSource.archive(pa.get()), OciSource.archive(pb.get()), null, null);
      }
      return files(pa.get(), pb.get());
    }
    if (pa.isEmpty() && pb.isEmpty()) {
      SourceSpec sa = SourceSpec.parse(a);
      SourceSpec sb = SourceSpec.parse(b);
      if (sa instanceof SourceSpec.Directory || sa instanceof SourceSpec.Debootstrap
          || sb instanceof SourceSpec.Directory || sb instanceof SourceSpec.Debootstrap) {
        throw new KairosException("not an OCI image: " + (sa instanceof SourceSpec.Directory
            || sa instanceof SourceSpec.Debootstrap ? a : b));
      }
      return oci(Sources.image(sa), Sources.image(sb), null, null);
    }
    throw new KairosException("cannot compare " + a + " with " + b + ": give two directories, two OCI images,"
        + " two ISOs or two disk images");
  }

  /** An existing path, or empty for what names something else (an image reference, {@code oci:DIR}). */
  private static Optional<Path> existing(String s) {
    if (s.startsWith("oci:") || s.startsWith("oci-archive:") || s.startsWith("docker-archive:")) {
      return Optional.empty();
    }
    Path p = Path.of(s);
    return Files.exists(p) ? Optional.of(p) : Optional.empty();
  }

  /** A POSIX tar (the OCI archives this project writes are); whether it holds an OCI layout is the reader's to say. */
  private static boolean isTar(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] header = in.readNBytes(512);
      return header.length == 512 && new String(header, 257, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar");
    }
  }

  /** Two OCI images: the files of their layouts (blobs by digest, index) when they are layouts, then their roots. */
  private DiffReport oci(ImageSource a, ImageSource b, Path layoutA, Path layoutB) throws IOException {
    List<Difference> out = new ArrayList<>();
    if (layoutA != null) {
      for (Difference d : TreeDiff.compare(RootFs.at(layoutA), RootFs.at(layoutB)).differences()) {
        // blob names are digests: the layout's mtimes and modes say nothing about the image
        if (d.field().equals("present") || d.field().equals("content")) {
          out.add(Difference.of("layout:" + d.where(), d.field(), d.left().orElse(null), d.right().orElse(null)));
        }
      }
    }
    try (OwnedDirectory w = work.claim(); ScratchDirectory scratch = w.scratch("diff")) {
      EventListener events = EventListener.NONE;
      RootFs ra = a.materialize(scratch.dir().resolve("a"), events);
      RootFs rb = b.materialize(scratch.dir().resolve("b"), events);
      // the configs field by field (created, history, diff_ids, Env, Labels, ...), not only "the blob differs"
      Optional<String> ca = OciSource.config(ra);
      Optional<String> cb = OciSource.config(rb);
      if (ca.isPresent() && cb.isPresent()) {
        out.addAll(ImageConfigDiff.compare(ca.get(), cb.get()));
      }
      for (Difference d : TreeDiff.compare(ra, rb).differences()) {
        // The root directory is the unpack's own unless a layer carries "./": its time is today's.
        if (!(d.where().equals("/") && d.field().equals("mtime"))) {
          out.add(d);
        }
      }
    }
    return DiffReport.of("oci", out);
  }

  /** Two files of no known structure: size and content hash. */
  private static DiffReport files(Path a, Path b) throws IOException {
    List<Difference> out = new ArrayList<>();
    long mismatch = Files.mismatch(a, b);
    if (mismatch >= 0) {
      out.add(Difference.of("", "content", sha256(a) + " (" + Files.size(a) + " bytes)",
          sha256(b) + " (" + Files.size(b) + " bytes), first differing byte at " + mismatch));
    }
    return DiffReport.of("file", out);
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> json(DiffReport report) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", report.kind());
    m.put("identical", report.identical());
    List<Map<String, Object>> diffs = new ArrayList<>();
    for (Difference d : report.differences()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("where", d.where());
      e.put("field", d.field());
      e.put("a", d.left().orElse(null));
      e.put("b", d.right().orElse(null));
      diffs.add(e);
    }
    m.put("differences", diffs);
    return m;
  }
}
