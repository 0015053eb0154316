package dev.kairos.factory.examples.web;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.yip.YipDiagnostic;
import dev.kairos.factory.core.api.yip.YipValidator;
import dev.kairos.factory.examples.cli.SourceSpec;
import dev.kairos.factory.oci.api.OciTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A build request of the API, read and checked completely: every field of a JSON object, each
 * finding with its JSON path (and line:column inside a yip document), all at once. A checked
 * request turns into the arguments of the CLI's {@code build} verb, so that the server builds
 * exactly as {@code kairos-factory build} does.
 */
final class BuildRequest {
  /** The artifacts a build can be asked for, and where each lands in the build's artifacts directory. */
  static final Map<String, String> ARTIFACTS = artifacts();
  static final List<String> VARIANTS = List.of("core", "standard");
  static final List<String> PROVIDERS = List.of("k3s", "k0s");
  static final Set<String> FIELDS = Set.of("from", "version", "model", "arch", "variant", "provider",
      "providerVersion", "trusted", "fips", "skipSteps", "stageExtensions", "cloudConfig", "artifacts", "push");
  /** Bounds on what one request may carry. */
  static final int MAX_TEXT = 256 * 1024;
  static final int MAX_LIST = 64;

  final String from;
  final String version;
  final String model;
  final String arch;
  final String provider;
  final String providerVersion;
  final boolean trusted;
  final boolean fips;
  final List<String> skipSteps;
  final List<String> stageExtensions;
  final String cloudConfig;
  final List<String> artifacts;
  final String push;

  private BuildRequest(Reader r) {
    from = r.from;
    version = r.version;
    model = r.model;
    arch = r.arch;
    provider = r.provider;
    providerVersion = r.providerVersion;
    trusted = r.trusted;
    fips = r.fips;
    skipSteps = List.copyOf(r.skipSteps);
    stageExtensions = List.copyOf(r.stageExtensions);
    cloudConfig = r.cloudConfig;
    artifacts = List.copyOf(r.artifacts);
    push = r.push;
  }

  private static Map<String, String> artifacts() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("oci-layout", "oci-layout");
    m.put("oci-archive", "image.oci.tar");
    m.put("iso", "kairos.iso");
    m.put("disk", "disk.raw");
    m.put("disk-bios", "disk-bios.raw");
    m.put("uki", "kairos.uki.efi");
    m.put("netboot", "netboot");
    return m;
  }

  /**
   * Reads and checks a request.
   *
   * @throws ApiError 400 with every finding
   */
  static BuildRequest parse(JsonNode body) {
    Reader r = new Reader();
    r.read(body);
    if (!r.findings.isEmpty()) {
      throw new ApiError(400, "invalid build request: " + r.findings.size() + " finding(s)", r.findings);
    }
    return new BuildRequest(r);
  }

  /** Whether the build signs a UKI, and so needs the server's Secure Boot keys. */
  boolean needsKeys() {
    return artifacts.contains("uki");
  }

  /**
   * The CLI arguments of this build. Inline texts (stage extensions, cloud-config) are written as
   * files under {@code inputs}, artifacts go under {@code out}; {@code dryRun} plans instead.
   */
  List<String> cliArgs(Path inputs, Path out, Path work, Path cache, Path keys, boolean dryRun) throws IOException {
    List<String> a = new ArrayList<>(List.of("build", "--json", "--verbose", "--from", from, "--version", version));
    if (model != null) {
      a.addAll(List.of("--model", model));
    }
    if (arch != null) {
      a.addAll(List.of("--arch", arch));
    }
    if (provider != null) {
      a.addAll(List.of("--provider", provider, "--provider-" + provider + "-version", providerVersion));
    }
    if (trusted) {
      a.add("--trusted=true");
    }
    if (fips) {
      a.add("--fips");
    }
    if (!skipSteps.isEmpty()) {
      a.addAll(List.of("--skip-step", String.join(",", skipSteps)));
    }
    if (!stageExtensions.isEmpty()) {
      Path dir = Files.createDirectories(inputs.resolve("stage-extensions"));
      for (int i = 0; i < stageExtensions.size(); i++) {
        String text = stageExtensions.get(i);
        AtomicFile.write(dir.resolve(String.format("%02d-request.yaml", i)),
            tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
      }
      a.addAll(List.of("--stage-extensions", dir.toString()));
    }
    if (dryRun) {
      a.add("--dry-run");
      return a;
    }
    a.addAll(List.of("--work", work.toString(), "--cache", cache.toString()));
    if (cloudConfig != null) {
      Path file = inputs.resolve("cloud-config.yaml");
      AtomicFile.write(file, tmp -> Files.writeString(tmp, cloudConfig, StandardCharsets.UTF_8));
      a.addAll(List.of("--cloud-config", file.toString()));
    }
    for (String kind : artifacts) {
      Path to = out.resolve(ARTIFACTS.get(kind));
      switch (kind) {
        case "disk-bios" -> a.addAll(List.of("--disk", to.toString(), "--bios"));
        case "uki" -> a.addAll(List.of("--uki", to.toString(), "--keys", keys.toString()));
        default -> a.addAll(List.of("--" + kind, to.toString()));
      }
    }
    if (push != null) {
      a.addAll(List.of("--push", push));
    }
    return a;
  }

  /**
   * The findings of a yip document (a stage extension), as {@code yip validate} reports them, with
   * line and column in {@code text}: it is checked from an in-memory file, nothing touches the disk.
   */
  static List<YipDiagnostic> yipFindings(String text) {
    try (FileSystem memory = Jimfs.newFileSystem(Configuration.unix())) {
      Path file = memory.getPath("/document.yaml");
      Files.writeString(file, text);
      return YipValidator.validate(file, false).findings();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the fields, collecting a finding for each problem rather than stopping at the first. */
  private static final class Reader {
    final List<Finding> findings = new ArrayList<>();
    String from;
    String version;
    String model;
    String arch;
    String provider;
    String providerVersion = "";
    boolean trusted;
    boolean fips;
    List<String> skipSteps = List.of();
    List<String> stageExtensions = List.of();
    String cloudConfig;
    List<String> artifacts = List.of();
    String push;

    void read(JsonNode body) {
      if (body == null || !body.isObject()) {
        findings.add(Finding.at("$", "expected a JSON object"));
        return;
      }
      for (String name : body.propertyNames()) {
        if (!FIELDS.contains(name)) {
          findings.add(Finding.at("$." + name, "unknown field '" + name + "'; known: " + String.join(", ",
              FIELDS.stream().sorted().toList())));
        }
      }
      from = text(body, "from", true);
      if (from != null) {
        check("$.from", () -> SourceSpec.parseExisting(from));
      }
      version = text(body, "version", true);
      if (version != null) {
        check("$.version", () -> BuildOptions.builder().version(version));
      }
      model = text(body, "model", false);
      if (model != null) {
        check("$.model", () -> Model.parse(model));
      }
      arch = text(body, "arch", false);
      if (arch != null) {
        check("$.arch", () -> Architecture.parse(arch));
      }
      String variant = text(body, "variant", false);
      provider = text(body, "provider", false);
      String pv = text(body, "providerVersion", false);
      providerVersion = pv == null ? "" : pv;
      if (variant != null && !VARIANTS.contains(variant)) {
        findings.add(Finding.at("$.variant", "unknown variant '" + variant + "'; expected core or standard"));
      }
      if (provider != null && provider.isEmpty()) {
        provider = null;
      }
      if ("standard".equals(variant) && provider == null) {
        findings.add(Finding.at("$.provider", "a standard image needs a provider (k3s or k0s)"));
      } else if ("core".equals(variant) && provider != null) {
        findings.add(Finding.at("$.provider", "a core image has no provider; use variant standard"));
      }
      if (provider == null && pv != null && !pv.isEmpty()) {
        findings.add(Finding.at("$.providerVersion", "a provider version needs a provider"));
      }
      if (provider != null) {
        check("$.provider", () -> Provider.of(provider, providerVersion));
      }
      trusted = bool(body, "trusted");
      fips = bool(body, "fips");
      skipSteps = list(body, "skipSteps");
      if (!skipSteps.isEmpty()) {
        for (int i = 0; i < skipSteps.size(); i++) {
          String step = skipSteps.get(i);
          check("$.skipSteps[" + i + "]", () -> BuildOptions.builder().skip(step));
        }
      }
      stageExtensions = list(body, "stageExtensions");
      for (int i = 0; i < stageExtensions.size(); i++) {
        for (YipDiagnostic d : yipFindings(stageExtensions.get(i))) {
          if (d.severity() == YipDiagnostic.Severity.ERROR) {
            findings.add(new Finding("$.stageExtensions[" + i + "]", d.location().line(), d.location().column(),
                d.message()));
          }
        }
      }
      cloudConfig = text(body, "cloudConfig", false);
      if (cloudConfig != null) {
        for (YipDiagnostic d : yipFindings(cloudConfig)) {
          if (d.severity() == YipDiagnostic.Severity.ERROR) {
            findings.add(new Finding("$.cloudConfig", d.location().line(), d.location().column(), d.message()));
          }
        }
      }
      artifacts = list(body, "artifacts");
      Set<String> seen = new LinkedHashSet<>();
      for (int i = 0; i < artifacts.size(); i++) {
        String kind = artifacts.get(i);
        if (!ARTIFACTS.containsKey(kind)) {
          findings.add(Finding.at("$.artifacts[" + i + "]", "unknown artifact '" + kind + "'; expected one of "
              + String.join(", ", ARTIFACTS.keySet())));
        } else if (!seen.add(kind)) {
          findings.add(Finding.at("$.artifacts[" + i + "]", "'" + kind + "' is asked for twice"));
        }
      }
      if (seen.contains("disk") && seen.contains("disk-bios")) {
        findings.add(Finding.at("$.artifacts", "disk and disk-bios in one build are not supported: ask for one"));
      }
      push = text(body, "push", false);
      if (push != null) {
        check("$.push", () -> OciTarget.registry(push));
      }
    }

    private String text(JsonNode body, String name, boolean required) {
      JsonNode n = body.get(name);
      if (n == null || n.isNull()) {
        if (required) {
          findings.add(Finding.at("$." + name, "missing: '" + name + "' is required"));
        }
        return null;
      }
      if (!n.isString()) {
        findings.add(Finding.at("$." + name, "expected a string"));
        return null;
      }
      if (n.stringValue().length() > MAX_TEXT) {
        findings.add(Finding.at("$." + name, "longer than " + MAX_TEXT + " characters"));
        return null;
      }
      return n.stringValue();
    }

    private boolean bool(JsonNode body, String name) {
      JsonNode n = body.get(name);
      if (n == null || n.isNull()) {
        return false;
      }
      if (!n.isBoolean()) {
        findings.add(Finding.at("$." + name, "expected true or false"));
        return false;
      }
      return n.booleanValue();
    }

    private List<String> list(JsonNode body, String name) {
      JsonNode n = body.get(name);
      if (n == null || n.isNull()) {
        return List.of();
      }
      if (!n.isArray()) {
        findings.add(Finding.at("$." + name, "expected an array of strings"));
        return List.of();
      }
      if (n.size() > MAX_LIST) {
        findings.add(Finding.at("$." + name, "more than " + MAX_LIST + " entries"));
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n.size(); i++) {
        JsonNode e = n.get(i);
        if (!e.isString() || e.stringValue().length() > MAX_TEXT) {
          findings.add(Finding.at("$." + name + "[" + i + "]", "expected a string of at most " + MAX_TEXT
              + " characters"));
          return List.of();
        }
        out.add(e.stringValue());
      }
      return out;
    }

    private interface Check {
      Object run() throws IOException;
    }

    private void check(String path, Check c) {
      try {
        c.run();
      } catch (IllegalArgumentException | UnsupportedTargetException | InvalidInputException e) {
        findings.add(Finding.at(path, e.getMessage()));
      } catch (IOException e) {
        findings.add(Finding.at(path, e.getMessage()));
      }
    }
  }
}
