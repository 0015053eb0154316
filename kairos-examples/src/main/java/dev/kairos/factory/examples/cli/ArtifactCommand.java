package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.oci.api.artifact.ArtifactContent;
import dev.kairos.factory.oci.api.artifact.ArtifactFile;
import dev.kairos.factory.oci.api.artifact.KairosArtifactTypes;
import dev.kairos.factory.oci.api.artifact.OciArtifact;
import dev.kairos.factory.oci.api.artifact.OciArtifacts;
import dev.kairos.factory.oci.api.artifact.Referrer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code artifact}: files as OCI artifacts in a registry, and what refers to an image. */
@Command(name = "artifact", description = "Push, pull and list OCI artifacts (boot media, SBOMs, provenance).",
    subcommands = {ArtifactCommand.Push.class, ArtifactCommand.Pull.class, ArtifactCommand.ListReferrers.class,
        ArtifactCommand.ShowProvenance.class})
final class ArtifactCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command: push, pull, list or provenance");
  }

  /** The registry access every artifact verb shares: login files, plain HTTP for loopback registries. */
  static OciArtifacts registry() throws KairosException {
    OciArtifacts a = OciArtifacts.create();
    return System.getenv(SourceDate.ENVIRONMENT_VARIABLE) != null ? a.withCreated(SourceDate.fromEnvironment()) : a;
  }

  static Map<String, Object> json(OciArtifact a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reference", a.reference());
    m.put("digest", a.digest());
    m.put("artifactType", a.artifactType());
    List<Map<String, Object>> files = new ArrayList<>();
    for (ArtifactFile f : a.files()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", f.name());
      e.put("mediaType", f.mediaType());
      e.put("digest", f.digest());
      e.put("size", f.size());
      files.add(e);
    }
    m.put("files", files);
    m.put("subject", a.subject().orElse(null));
    return m;
  }

  static String human(String verb, OciArtifact a) {
    StringBuilder b = new StringBuilder(verb + " " + a.reference() + "  " + a.artifactType());
    for (ArtifactFile f : a.files()) {
      b.append("\n  ").append(f.name()).append("  ").append(ProgressRenderer.amount(f.size())).append("  ")
          .append(f.digest());
    }
    return b.toString();
  }

  /** {@code artifact push FILE... REF}. */
  @Command(name = "push", description = "Push files as one OCI 1.1 artifact (one layer per file, named by its file name).")
  static final class Push extends Verb {
    @Parameters(arity = "2..*", paramLabel = "FILE... REF", description = "The files, then where to push them.")
    List<String> args;

    @Option(names = "--artifact-type", paramLabel = "T",
        description = "The artifact type (default: from the first file's name: .iso application/vnd.kairos.iso.v1,"
            + " .raw/.img application/vnd.kairos.disk.raw.v1, .efi application/vnd.kairos.uki.v1).")
    String artifactType;

    @Override
    int run(Output out) throws Exception {
      String ref = args.get(args.size() - 1);
      List<ArtifactContent> contents = new ArrayList<>();
      for (String f : args.subList(0, args.size() - 1)) {
        Path p = Path.of(f);
        if (!Files.isRegularFile(p)) {
          throw new ParameterException(spec.commandLine(), "not a regular file: " + f);
        }
        contents.add(ArtifactContent.file(p));
      }
      String type = artifactType != null ? artifactType : KairosArtifactTypes.forFileName(contents.get(0).name());
      OciArtifact a = registry().push(ref, type, contents);
      out.result(json(a), human("pushed", a));
      return 0;
    }
  }

  /** {@code artifact pull REF --to DIR}. */
  @Command(name = "pull", description = "Pull an artifact's files into a directory, every blob's digest checked.")
  static final class Pull extends Verb {
    @Parameters(index = "0", paramLabel = "REF", description = "The artifact.")
    String reference;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "Directory to write the files into.")
    Path to;

    @Override
    int run(Output out) throws Exception {
      OciArtifact a = registry().pull(reference, to);
      Map<String, Object> m = json(a);
      m.put("directory", to.toString());
      out.result(m, human("pulled", a) + "\n  into " + to);
      return 0;
    }
  }

  /** {@code artifact list REF}. */
  @Command(name = "list", description = "List what refers to an image: the registry's referrers API and the"
      + " sha256-<hex> referrers tag.")
  static final class ListReferrers extends Verb {
    @Parameters(index = "0", paramLabel = "REF", description = "The image.")
    String reference;

    @Override
    int run(Output out) throws Exception {
      List<Referrer> referrers = registry().referrers(reference);
      List<Map<String, Object>> list = new ArrayList<>();
      StringBuilder b = new StringBuilder(referrers.size() + " referrer(s) of " + reference);
      for (Referrer r : referrers) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("digest", r.digest());
        e.put("artifactType", r.artifactType());
        e.put("mediaType", r.mediaType());
        e.put("size", r.size());
        e.put("annotations", r.annotations());
        e.put("foundBy", r.foundBy().name().toLowerCase(java.util.Locale.ROOT));
        list.add(e);
        b.append("\n  ").append(r.digest()).append("  ").append(r.artifactType()).append("  (")
            .append(r.foundBy().name().toLowerCase(java.util.Locale.ROOT)).append(')');
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("reference", reference);
      m.put("referrers", list);
      out.result(m, b.toString());
      return 0;
    }
  }

  /** {@code artifact provenance REF}. */
  @Command(name = "provenance", description = "Print the provenance (in-toto statement) attached to an image.")
  static final class ShowProvenance extends Verb {
    @Parameters(index = "0", paramLabel = "REF", description = "The image.")
    String reference;

    @Override
    int run(Output out) throws Exception {
      byte[] doc = registry().provenance(reference)
          .orElseThrow(() -> new KairosException(reference + ": no provenance is attached"));
      // The document is JSON already: printed as it is, with or without --json.
      out.err().flush();
      spec.commandLine().getOut().println(new String(doc, StandardCharsets.UTF_8));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
