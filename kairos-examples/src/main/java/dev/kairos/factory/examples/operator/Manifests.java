package dev.kairos.factory.examples.operator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects the controller makes for one OSArtifact, as the Kairos Operator makes them: a PVC
 * for the artifacts ({@code NAME-artifacts}, 10Gi ReadWriteOnce unless {@code spec.volume} says
 * otherwise), one builder Job ({@code NAME-build}, a privileged pod running our image, as the
 * Kairos Operator's builder containers are), and one Job per exporter ({@code NAME-export-I})
 * with the artifacts mounted read-only at {@code /artifacts}. Each carries the artifact label,
 * our managed-by label and an owner reference to the OSArtifact.
 *
 * @param name the OSArtifact's name
 * @param namespace its namespace
 * @param uid its uid (for the owner references)
 * @param image our image (it runs {@code kairos-factory} from its PATH)
 */
public record Manifests(String name, String namespace, String uid, String image) {
  /** Where the artifacts are mounted, in the builder and the exporters. */
  public static final String ARTIFACTS = "/artifacts";
  /** The builder's work directory: an emptyDir on the node (the image root is large). */
  public static final String WORK = "/work";
  /** Where the cloud-config Secret is mounted. */
  public static final String CLOUD_CONFIG_DIR = "/cloud-config";
  /** Where the UKI keys volume is mounted (as the Kairos Operator mounts it). */
  public static final String UKI_KEYS = "/uki-keys";
  /** The longest name Kubernetes allows where a name is also a label value (a Job's pods carry it). */
  public static final int MAX_NAME = 63;

  /** The artifacts PVC's name. */
  public String pvcName() {
    return childName("-artifacts");
  }

  /** The builder Job's name. */
  public String builderName() {
    return childName("-build");
  }

  /** Exporter {@code i}'s Job name. */
  public String exporterName(int i) {
    return childName("-export-" + i);
  }

  /** {@code name + suffix}, shortened with a hash of the name when too long to be a label value. */
  private String childName(String suffix) {
    return shortName(name, MAX_NAME - suffix.length()) + suffix;
  }

  /**
   * {@code name} if it has at most {@code max} characters, else its head and 8 hex digits of its
   * SHA-256: still distinct, and a valid Kubernetes name when {@code name} is one.
   */
  public static String shortName(String name, int max) {
    if (name.length() <= max) {
      return name;
    }
    String head = name.substring(0, max - 9).replaceAll("[-.]+$", "");
    return head + "-" + sha256(name).substring(0, 8);
  }

  /** The artifacts PVC: {@code spec.volume}, else 10Gi ReadWriteOnce. */
  public PersistentVolumeClaim pvc(ArtifactRequest r) {
    PersistentVolumeClaimSpec spec = r.volume() != null ? r.volume() : new PersistentVolumeClaimSpecBuilder()
        .withAccessModes("ReadWriteOnce")
        .withNewResources().addToRequests("storage", new Quantity("10Gi")).endResources().build();
    return new PersistentVolumeClaimBuilder().withMetadata(meta(pvcName(), Map.of())).withSpec(spec).build();
  }

  /**
   * The builder Job: the commands of {@link BuildCommands} in order (all but the last as init
   * containers, so the first failure stops the pod and is reported), privileged, no retries, no
   * service account token; the spec's node selector, tolerations, pull secrets and resources.
   */
  public Job builder(ArtifactRequest r) {
    String cloudConfig = r.cloudConfig() == null ? null : CLOUD_CONFIG_DIR + "/" + r.cloudConfig().key();
    List<List<String>> commands = new BuildCommands(ARTIFACTS, WORK + "/build", cloudConfig,
        r.ukiKeysVolume() == null ? null : UKI_KEYS).of(r, name);
    List<VolumeMount> mounts = new ArrayList<>(List.of(mount("artifacts", ARTIFACTS, false), mount("work", WORK, false)));
    List<Volume> volumes = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("artifacts").withNewPersistentVolumeClaim(pvcName(), false).build());
    volumes.add(new VolumeBuilder().withName("work").withNewEmptyDir().endEmptyDir().build());
    if (r.cloudConfig() != null) {
      volumes.add(new VolumeBuilder().withName("cloudconfig").withNewSecret().withSecretName(r.cloudConfig().name())
          .addNewItem().withKey(r.cloudConfig().key()).withPath(r.cloudConfig().key()).endItem().endSecret().build());
      mounts.add(mount("cloudconfig", CLOUD_CONFIG_DIR, true));
    }
    volumes.addAll(r.volumes());
    if (r.ukiKeysVolume() != null) {
      mounts.add(mount(r.ukiKeysVolume(), UKI_KEYS, true));
    }
    ResourceRequirements resources = resources(r);
    List<Container> containers = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      List<String> c = commands.get(i);
      containers.add(new ContainerBuilder()
          .withName(commands.size() == 1 ? "build" : i + "-" + c.get(0))
          .withImage(image)
          .withCommand("kairos-factory")
          .withArgs(c)
          // The chroot, bind mounts and loop-free disk writes need it, as the Kairos Operator's builders do.
          .withNewSecurityContext().withPrivileged(true).endSecurityContext()
          .withEnv(new EnvVar("XDG_CACHE_HOME", WORK + "/cache", null))
          .withVolumeMounts(mounts)
          .withResources(resources)
          // The log's tail becomes the failure message the controller puts in the status.
          .withTerminationMessagePolicy("FallbackToLogsOnError")
          .build());
    }
    PodSpec pod = new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withInitContainers(containers.subList(0, containers.size() - 1))
        .withContainers(containers.get(containers.size() - 1))
        .withVolumes(volumes)
        .withImagePullSecrets(r.imagePullSecrets())
        .withNodeSelector(r.nodeSelector().isEmpty() ? null : r.nodeSelector())
        .withTolerations(r.tolerations())
        .build();
    return new JobBuilder().withMetadata(meta(builderName(), Map.of()))
        .withNewSpec().withBackoffLimit(0)
        .withNewTemplate().withNewMetadata().withLabels(labels()).endMetadata().withSpec(pod).endTemplate()
        .endSpec().build();
  }

  /**
   * Exporter {@code i}: the user's Job spec, no retries unless it says otherwise, with the
   * artifacts PVC added read-only as the volume {@code artifacts} (the exporter mounts it where it
   * wants, as with the Kairos Operator).
   */
  public Job exporter(ArtifactRequest r, int i) {
    JobSpec spec = SERIALIZATION.clone(r.exporters().get(i));
    if (spec.getBackoffLimit() == null) {
      spec.setBackoffLimit(0);
    }
    ObjectMeta template = spec.getTemplate().getMetadata();
    Map<String, String> podLabels = new LinkedHashMap<>(template == null || template.getLabels() == null ? Map.of()
        : template.getLabels());
    podLabels.putAll(labels());
    spec.getTemplate().setMetadata(new ObjectMetaBuilder().withLabels(podLabels)
        .withAnnotations(template == null ? null : template.getAnnotations()).build());
    List<Volume> volumes = new ArrayList<>(spec.getTemplate().getSpec().getVolumes());
    volumes.add(new VolumeBuilder().withName("artifacts").withNewPersistentVolumeClaim(pvcName(), true).build());
    spec.getTemplate().getSpec().setVolumes(volumes);
    return new JobBuilder().withMetadata(meta(exporterName(i), Map.of(OsArtifacts.EXPORT_INDEX_ANNOTATION,
        Integer.toString(i)))).withSpec(spec).build();
  }

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * One container does what the Kairos Operator spreads over one container per artifact kind: it
   * gets, for each resource, the largest request and limit of the kinds asked for (and of
   * {@code pod}).
   */
  static ResourceRequirements resources(ArtifactRequest r) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    for (Map.Entry<String, ResourceRequirements> e : r.resources().entrySet()) {
      boolean asked = e.getKey().equals("pod") || r.outputs().stream().anyMatch(o -> o.field.equals(e.getKey()));
      if (asked) {
        largest(requests, e.getValue().getRequests());
        largest(limits, e.getValue().getLimits());
      }
    }
    return new ResourceRequirements(null, limits.isEmpty() ? null : limits, requests.isEmpty() ? null : requests);
  }

  private static void largest(Map<String, Quantity> into, Map<String, Quantity> from) {
    if (from == null) {
      return;
    }
    from.forEach((k, q) -> {
      Quantity had = into.get(k);
      BigDecimal size = q.getNumericalAmount();
      if (had == null || had.getNumericalAmount().compareTo(size) < 0) {
        into.put(k, q);
      }
    });
  }

  /** Labels of everything made for this OSArtifact. */
  public Map<String, String> labels() {
    return Map.of(OsArtifacts.ARTIFACT_LABEL, name, OsArtifacts.MANAGED_BY_LABEL, OsArtifacts.MANAGED_BY);
  }

  /** The owner reference to the OSArtifact: Kubernetes removes the children with it, and so do we. */
  public OwnerReference owner() {
    return new OwnerReferenceBuilder().withApiVersion(OsArtifacts.API_VERSION).withKind(OsArtifacts.KIND)
        .withName(name).withUid(uid).withController(true).withBlockOwnerDeletion(true).build();
  }

  /** Whether {@code meta} is of something we made for this OSArtifact (our label and owner reference). */
  public boolean ours(ObjectMeta meta) {
    return meta != null && meta.getLabels() != null
        && OsArtifacts.MANAGED_BY.equals(meta.getLabels().get(OsArtifacts.MANAGED_BY_LABEL))
        && name.equals(meta.getLabels().get(OsArtifacts.ARTIFACT_LABEL))
        && meta.getOwnerReferences() != null
        && meta.getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()));
  }

  private ObjectMeta meta(String objectName, Map<String, String> annotations) {
    return new ObjectMetaBuilder().withName(objectName).withNamespace(namespace).withLabels(labels())
        .withAnnotations(annotations.isEmpty() ? null : annotations).withOwnerReferences(owner()).build();
  }

  private static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName(volume).withMountPath(path)
        .withReadOnly(readOnly ? true : null).build();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
