package dev.kairos.factory.core.api.yip;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One parsed yip document: its source (file path, or a description such as {@code <cmdline>}),
 * its top-level {@code name}, its stages in source order, and the findings of the parser
 * (unknown keys and suspicious values; errors are thrown instead). A {@code #cloud-config}
 * document is already transpiled onto stages: its {@code write_files}, {@code runcmd} and
 * {@code users} are a step of {@code boot}, its {@code hostname} a step of {@code initramfs},
 * github/gitlab keys a step of {@code network}.
 *
 * <pre>{@code
 * YipDocument doc = Yip.parse("stages:\n  boot:\n  - commands: [\"echo hi\"]\n", "inline.yaml");
 * doc.stage("boot").get(0).commands();   // ["echo hi"]
 * }</pre>
 */
public final class YipDocument {
  private final String source;
  private final String name;
  private final boolean cloudConfig;
  private final Map<String, List<YipStep>> stages;
  private final List<YipDiagnostic> diagnostics;

  /**
   * @param source where the document came from; used in step identifiers and messages
   * @param name the top-level {@code name} ("" if none)
   * @param cloudConfig whether the text had the {@code #cloud-config} header
   * @param stages stage name to steps, in source order
   * @param diagnostics the parser's warnings
   */
  public YipDocument(String source, String name, boolean cloudConfig, Map<String, List<YipStep>> stages,
      List<YipDiagnostic> diagnostics) {
    this.source = Objects.requireNonNull(source, "source");
    this.name = Objects.requireNonNull(name, "name");
    this.cloudConfig = cloudConfig;
    LinkedHashMap<String, List<YipStep>> s = new LinkedHashMap<>();
    Objects.requireNonNull(stages, "stages").forEach((k, v) -> s.put(Objects.requireNonNull(k, "stage name"),
        List.copyOf(v)));
    this.stages = Collections.unmodifiableMap(s);
    this.diagnostics = List.copyOf(diagnostics);
  }

  /** The file name or description the document was read from. */
  public String source() {
    return source;
  }

  /** The top-level {@code name}, or "" (ignored for identifiers of cloud-config documents, as in yip). */
  public String name() {
    return name;
  }

  /** Whether the document is a {@code #cloud-config} (its top-level keys become steps). */
  public boolean cloudConfig() {
    return cloudConfig;
  }

  /** Every stage of the document, in source order (synthetic cloud-config steps first). */
  public Map<String, List<YipStep>> stages() {
    return stages;
  }

  /** The steps of one stage; empty if the document does not have it. */
  public List<YipStep> stage(String stage) {
    return stages.getOrDefault(stage, List.of());
  }

  /**
   * The prefix of this document's step identifiers: the top-level name for plain documents that
   * have one, else the source (always the source for cloud-config documents).
   */
  public String idRoot() {
    return !cloudConfig && !name.isEmpty() ? name : source;
  }

  /** The parser's findings (unknown keys, suspicious values), in source order. */
  public List<YipDiagnostic> diagnostics() {
    return diagnostics;
  }

  @Override
  public String toString() {
    return "YipDocument[" + source + (cloudConfig ? ", cloud-config" : "") + ", stages=" + stages.keySet() + "]";
  }
}
