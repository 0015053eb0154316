package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.ExtensionStage;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.yip.Yip;
import dev.kairos.factory.core.api.yip.YipDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Stage extensions: the yip files of the extensions directory (recursively, in lexical order,
 * {@code .yaml}/{@code .yml} only), whose entries for each of the six stages run after the
 * pipeline's own work of that stage. A file that does not parse is reported and skipped, as
 * kairos-init does.
 */
final class YipStageExtensions implements StageExtensions {
  private final List<YipDocument> documents;
  /** Each file's SHA-256 by the source name its documents carry, for the step cache's key. */
  private final java.util.Map<String, String> digests;

  private YipStageExtensions(List<YipDocument> documents, java.util.Map<String, String> digests) {
    this.documents = List.copyOf(documents);
    this.digests = java.util.Map.copyOf(digests);
  }

  static StageExtensions load(RootFs root, BuildOptions options, EventListener events) throws IOException {
    Path dir = options.stageExtensionsDir().isPresent() ? options.stageExtensionsDir().get()
        : root.hostPath(ImagePath.of(BuildOptions.DEFAULT_STAGE_EXTENSIONS_DIR), true);
    if (!Files.isDirectory(dir)) {
      events.log(KairosEvent.Level.INFO, "stage extensions: no directory " + dir + "; none loaded");
      return new YipStageExtensions(List.of(), java.util.Map.of());
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
          .sorted((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString()))
          .toList();
    }
    List<YipDocument> docs = new ArrayList<>();
    java.util.Map<String, String> digests = new java.util.HashMap<>();
    Yip yip = Yip.lenient();
    for (Path f : files) {
      digests.put(f.toString(), StepKeys.sha256(Files.readAllBytes(f)));
      try {
        docs.addAll(yip.load(f));
      } catch (InvalidInputException e) {
        events.log(KairosEvent.Level.WARN, "stage extensions: skipping " + f + ": " + e.getMessage());
      }
    }
    events.log(KairosEvent.Level.INFO, "stage extensions: " + docs.size() + " files from " + dir);
    return new YipStageExtensions(docs, digests);
  }

  private List<YipDocument> withStage(ExtensionStage stage) {
    return documents.stream().filter(d -> !d.stage(stage.id()).isEmpty()).toList();
  }

  @Override
  public String describe(ExtensionStage stage) {
    List<YipDocument> docs = withStage(stage);
    if (docs.isEmpty()) {
      return "";
    }
    int entries = docs.stream().mapToInt(d -> d.stage(stage.id()).size()).sum();
    return "run " + entries + " " + stage.id() + " entries of " + docs.stream().map(YipDocument::source).toList();
  }

  @Override
  public String fingerprint(ExtensionStage stage) {
    StringBuilder b = new StringBuilder();
    for (YipDocument d : withStage(stage)) {
      // The file's bytes, in order: everything the executor reads comes from them. Not the file's
      // path: the same documents from another directory or file name make the same root (the web
      // server writes a request's extensions under names of its own).
      b.append(d.name()).append('\n').append(digests.getOrDefault(d.source(), "unknown")).append('\n');
    }
    return b.isEmpty() ? "" : StepKeys.sha256(b.toString());
  }

  @Override
  public void run(StepContext ctx, ExtensionStage stage) throws IOException {
    List<YipDocument> docs = withStage(stage);
    if (docs.isEmpty()) {
      return;
    }
    ctx.yip(ctx.events()).run(ctx.root(), stage.id(), docs).requireSuccess();
  }
}
