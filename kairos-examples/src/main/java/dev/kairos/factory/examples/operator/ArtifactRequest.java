package dev.kairos.factory.examples.operator;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an OSArtifact's {@code spec} asks for, in the fields this controller supports: the Kairos
 * Operator's field names and shapes, read from the map the API server holds. Every other field is
 * listed in {@link #unsupported()} by its path (the controller then refuses the resource, since
 * building without it would make something else than was asked), and every wrong value in
 * {@link #problems()}.
 *
 * @param ref {@code image.ref}: a pre-built Kairos image to make the artifacts of, or null
 * @param build {@code image.buildOptions}, or null
 * @param arch {@code artifacts.arch} (amd64 or arm64), or null for the builder node's
 * @param outputs the artifact kinds asked for
 * @param cloudConfig {@code artifacts.cloudConfigRef}, or null
 * @param ukiKeysVolume {@code artifacts.uki.keysVolume} (with {@code uki.efi}), or null
 * @param exporters {@code exporters}: the Jobs run after the build, with the artifacts mounted
 * @param volume {@code volume}: the artifacts PVC's spec, or null for the default
 * @param volumes {@code volumes}: further volumes of the builder pod (the UKI keys)
 * @param imagePullSecrets {@code imagePullSecrets} of the builder pod
 * @param nodeSelector {@code nodeSelector} of the builder pod
 * @param tolerations {@code tolerations} of the builder pod
 * @param resources {@code resources}, by kind ({@code iso}, {@code cloudImage}, ..., {@code pod})
 * @param unsupported paths of fields given that this controller does not support
 * @param problems values that are wrong, each with its path
 */
public record ArtifactRequest(String ref, BuildOptions build, String arch, Set<Output> outputs, SecretKey cloudConfig,
    String ukiKeysVolume, List<JobSpec> exporters, PersistentVolumeClaimSpec volume, List<Volume> volumes,
    List<LocalObjectReference> imagePullSecrets, Map<String, String> nodeSelector, List<Toleration> tolerations,
    Map<String, ResourceRequirements> resources, List<String> unsupported, List<String> problems) {

  /** {@code image.buildOptions}: what kairos-init's flags say. */
  public record BuildOptions(String version, String baseImage, String model, boolean trustedBoot,
      String kubernetesDistro, String kubernetesVersion, boolean fips) {}

  /** A key of a Secret (the key may be empty: the Secret's only key). */
  public record SecretKey(String name, String key) {}

  /** The artifacts we make, by their {@code spec.artifacts} field. */
  public enum Output {
    /** {@code iso}: the live/installer ISO. */
    ISO("iso"),
    /** {@code cloudImage}: the raw disk. */
    CLOUD_IMAGE("cloudImage"),
    /** {@code azureImage}: the raw disk as a fixed VHD. */
    AZURE_IMAGE("azureImage"),
    /** {@code gceImage}: the raw disk in a GCE tarball. */
    GCE_IMAGE("gceImage"),
    /** {@code netboot}: kernel, initrd, squashfs, iPXE script. */
    NETBOOT("netboot"),
    /** {@code uki.efi}: a signed UKI. */
    UKI("uki");

    /** The field name in {@code spec.artifacts} (and {@code spec.resources}). */
    public final String field;

    Output(String field) {
      this.field = field;
    }
  }

  /** Volume names the builder pod uses itself (the Kairos Operator reserves the same). */
  static final Set<String> RESERVED_VOLUMES = Set.of("artifacts", "rootfs", "config", "ocispec", "cloudconfig", "work");

  public ArtifactRequest {
    // In the enum's order: the commands, and so the Job, are the same for the same spec.
    outputs = outputs.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(outputs));
    exporters = List.copyOf(exporters);
    volumes = List.copyOf(volumes);
    imagePullSecrets = List.copyOf(imagePullSecrets);
    nodeSelector = Map.copyOf(nodeSelector);
    tolerations = List.copyOf(tolerations);
    resources = Map.copyOf(resources);
    unsupported = List.copyOf(unsupported);
    problems = List.copyOf(problems);
  }

  /** Whether there is nothing unsupported or wrong in it: the controller builds it. */
  public boolean buildable() {
    return unsupported.isEmpty() && problems.isEmpty();
  }

  /** Reads {@code spec} (as the API server holds it); never throws for what a user wrote. */
  public static ArtifactRequest parse(Map<String, Object> spec) {
    return new Reader().read(spec == null ? Map.of() : spec);
  }

  /** One pass over the spec, collecting what it finds. */
  private static final class Reader {
    private final List<String> unsupported = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    ArtifactRequest read(Map<String, Object> spec) {
      only(spec, "spec", "image", "artifacts", "exporters", "volume", "volumes", "imagePullSecrets", "nodeSelector",
          "tolerations", "resources");
      Map<String, Object> image = map(spec, "image", "spec.image");
      only(image, "spec.image", "ref", "buildOptions");
      String ref = string(image, "ref", "spec.image.ref");
      BuildOptions build = null;
      Map<String, Object> b = map(image, "buildOptions", "spec.image.buildOptions");
      if (image.containsKey("buildOptions")) {
        only(b, "spec.image.buildOptions", "version", "baseImage", "model", "trustedBoot", "kubernetesDistro",
            "kubernetesVersion", "fips");
        build = new BuildOptions(string(b, "version", "spec.image.buildOptions.version"),
            string(b, "baseImage", "spec.image.buildOptions.baseImage"),
            string(b, "model", "spec.image.buildOptions.model"),
            bool(b, "trustedBoot", "spec.image.buildOptions.trustedBoot"),
            string(b, "kubernetesDistro", "spec.image.buildOptions.kubernetesDistro"),
            string(b, "kubernetesVersion", "spec.image.buildOptions.kubernetesVersion"),
            bool(b, "fips", "spec.image.buildOptions.fips"));
      }
      if (ref != null && ref.isEmpty()) {
        ref = null;
      }
      if (ref == null && build == null) {
        problems.add("spec.image: give ref (a pre-built Kairos image) or buildOptions (a base image to build from)");
      } else if (ref != null && build != null) {
        // The Kairos Operator ignores buildOptions then; a silent choice here could build the wrong thing.
        problems.add("spec.image: ref and buildOptions both given; give one");
      }
      if (build != null) {
        if (build.version() == null || build.version().isEmpty()) {
          problems.add("spec.image.buildOptions.version is required");
        }
        if (build.baseImage() == null || build.baseImage().isEmpty()) {
          problems.add("spec.image.buildOptions.baseImage is required");
        }
        if (build.kubernetesVersion() != null && build.kubernetesDistro() == null) {
          problems.add("spec.image.buildOptions.kubernetesVersion needs kubernetesDistro");
        }
      }

      Map<String, Object> a = map(spec, "artifacts", "spec.artifacts");
      only(a, "spec.artifacts", "arch", "iso", "cloudImage", "azureImage", "gceImage", "netboot", "cloudConfigRef",
          "uki");
      String arch = string(a, "arch", "spec.artifacts.arch");
      if (arch != null && arch.isEmpty()) {
        arch = null;
      }
      if (arch != null && !arch.equals("amd64") && !arch.equals("arm64")) {
        problems.add("spec.artifacts.arch must be amd64 or arm64, not '" + arch + "'");
      }
      java.util.EnumSet<Output> outputs = java.util.EnumSet.noneOf(Output.class);
      for (Output o : Output.values()) {
        if (o != Output.UKI && bool(a, o.field, "spec.artifacts." + o.field)) {
          outputs.add(o);
        }
      }
      String ukiKeys = null;
      if (a.containsKey("uki")) {
        Map<String, Object> u = map(a, "uki", "spec.artifacts.uki");
        only(u, "spec.artifacts.uki", "efi", "keysVolume");
        if (bool(u, "efi", "spec.artifacts.uki.efi")) {
          outputs.add(Output.UKI);
          ukiKeys = string(u, "keysVolume", "spec.artifacts.uki.keysVolume");
          if (ukiKeys == null || ukiKeys.isEmpty()) {
            problems.add("spec.artifacts.uki.keysVolume is required with uki.efi (the volume holding db.key and db.pem)");
          }
        }
      }
      if (ref != null && outputs.isEmpty()) {
        problems.add("spec.artifacts: with image.ref at least one artifact (iso, cloudImage, azureImage, gceImage,"
            + " netboot, uki.efi) must be enabled");
      }
      SecretKey cloudConfig = null;
      if (a.containsKey("cloudConfigRef")) {
        Map<String, Object> c = map(a, "cloudConfigRef", "spec.artifacts.cloudConfigRef");
        only(c, "spec.artifacts.cloudConfigRef", "name", "key");
        String name = string(c, "name", "spec.artifacts.cloudConfigRef.name");
        if (name == null || name.isEmpty()) {
          problems.add("spec.artifacts.cloudConfigRef.name is required");
        }
        String key = string(c, "key", "spec.artifacts.cloudConfigRef.key");
        cloudConfig = new SecretKey(name, key == null || key.isEmpty() ? "cloud-config.yaml" : key);
      }

      List<JobSpec> exporters = list(spec, "exporters", JobSpec.class);
      PersistentVolumeClaimSpec volume = spec.containsKey("volume")
          ? one(spec.get("volume"), PersistentVolumeClaimSpec.class, "spec.volume") : null;
      List<Volume> volumes = list(spec, "volumes", Volume.class);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < volumes.size(); i++) {
        String n = volumes.get(i).getName();
        if (n == null || n.isEmpty()) {
          problems.add("spec.volumes[" + i + "].name must not be empty");
        } else if (RESERVED_VOLUMES.contains(n)) {
          problems.add("spec.volumes[" + i + "].name '" + n + "' is reserved for the builder pod's own volumes");
        } else if (names.contains(n)) {
          problems.add("spec.volumes[" + i + "].name '" + n + "' is given twice");
        }
        names.add(n);
      }
      if (ukiKeys != null && !ukiKeys.isEmpty() && !names.contains(ukiKeys)) {
        problems.add("spec.artifacts.uki.keysVolume '" + ukiKeys + "' is not in spec.volumes");
      }
      List<LocalObjectReference> pullSecrets = list(spec, "imagePullSecrets", LocalObjectReference.class);
      Map<String, String> nodeSelector = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : map(spec, "nodeSelector", "spec.nodeSelector").entrySet()) {
        if (e.getValue() instanceof String s) {
          nodeSelector.put(e.getKey(), s);
        } else {
          problems.add("spec.nodeSelector." + e.getKey() + " must be a string");
        }
      }
      List<Toleration> tolerations = list(spec, "tolerations", Toleration.class);
      Map<String, ResourceRequirements> resources = new LinkedHashMap<>();
      Map<String, Object> r = map(spec, "resources", "spec.resources");
      only(r, "spec.resources", "iso", "cloudImage", "azureImage", "gceImage", "netboot", "uki", "pod");
      for (Map.Entry<String, Object> e : r.entrySet()) {
        ResourceRequirements q = one(e.getValue(), ResourceRequirements.class, "spec.resources." + e.getKey());
        if (q != null) {
          resources.put(e.getKey(), q);
        }
      }
      return new ArtifactRequest(ref, build, arch, outputs, cloudConfig, ukiKeys, exporters, volume, volumes,
          pullSecrets, nodeSelector, tolerations, resources, unsupported, problems);
    }

    /** Lists every key of {@code m} not among {@code known} as unsupported. */
    private void only(Map<String, Object> m, String path, String... known) {
      List<String> k = List.of(known);
      for (String key : m.keySet()) {
        if (!k.contains(key)) {
          unsupported.add(path + "." + key);
        }
      }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Map<String, Object> m, String key, String path) {
      Object v = m.get(key);
      if (v == null) {
        return Map.of();
      }
      if (v instanceof Map<?, ?> map) {
        return (Map<String, Object>) map;
      }
      problems.add(path + " must be an object");
      return Map.of();
    }

    private String string(Map<String, Object> m, String key, String path) {
      Object v = m.get(key);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      problems.add(path + " must be a string");
      return null;
    }

    private boolean bool(Map<String, Object> m, String key, String path) {
      Object v = m.get(key);
      if (v == null || v instanceof Boolean) {
        return Boolean.TRUE.equals(v);
      }
      problems.add(path + " must be true or false");
      return false;
    }

    /** {@code value} as a {@code type} of the Kubernetes API, or null (and a problem) when it cannot be one. */
    private <T> T one(Object value, Class<T> type, String path) {
      try {
        List<String> unknown = new ArrayList<>();
        T t = StrictModel.convert(value, type, path, unknown);
        unknown.forEach(u -> problems.add(u + " is not a field of the Kubernetes API's " + type.getSimpleName()));
        return t;
      } catch (RuntimeException e) {
        problems.add(path + ": " + e.getMessage());
        return null;
      }
    }

    private <T> List<T> list(Map<String, Object> spec, String key, Class<T> type) {
      Object v = spec.get(key);
      if (v == null) {
        return List.of();
      }
      if (!(v instanceof List<?> items)) {
        problems.add("spec." + key + " must be a list");
        return List.of();
      }
      List<T> out = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        T t = one(items.get(i), type, "spec." + key + "[" + i + "]");
        if (t != null) {
          out.add(t);
        }
      }
      return out;
    }
  }
}
