package dev.kairos.factory.examples.operator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The names this controller shares with the Kairos Operator: the {@code OSArtifact} resource of
 * {@code build.kairos.io/v1alpha2}, its phases, and the labels and annotation the Kairos Operator
 * puts on what it makes. What is ours alone (the finalizer, the managed-by label) says
 * kairos-factory.
 */
public final class OsArtifacts {
  /** The API group. */
  public static final String GROUP = "build.kairos.io";
  /** The served version. */
  public static final String VERSION = "v1alpha2";
  /** {@code apiVersion} of an OSArtifact. */
  public static final String API_VERSION = GROUP + "/" + VERSION;
  /** {@code kind} of an OSArtifact. */
  public static final String KIND = "OSArtifact";
  /** The plural resource name. */
  public static final String PLURAL = "osartifacts";
  /** How fabric8's generic client reaches OSArtifacts. */
  public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP).withVersion(VERSION).withKind(KIND).withPlural(PLURAL).withNamespaced(true).build();

  /** On every Job and PVC made for an OSArtifact: its name (as the Kairos Operator labels them). */
  public static final String ARTIFACT_LABEL = "build.kairos.io/artifact";
  /** On every exporter Job: its index in {@code spec.exporters} (as the Kairos Operator annotates them). */
  public static final String EXPORT_INDEX_ANNOTATION = "build.kairos.io/export-index";
  /** On everything this controller makes: only what carries it (and our owner reference) is ever deleted. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  /** The managed-by value. */
  public static final String MANAGED_BY = "kairos-factory";
  /** Held on an OSArtifact until its Jobs and PVC are removed. */
  public static final String FINALIZER = "build.kairos.io/kairos-factory-cleanup";
  /** The label Kubernetes puts on a Job's pods. */
  public static final String JOB_NAME_LABEL = "job-name";

  /** The phases of {@code status.phase}, as the Kairos Operator names them. */
  public enum Phase {
    /** Accepted, nothing started yet. */
    Pending,
    /** The builder Job runs. */
    Building,
    /** The exporter Jobs run. */
    Exporting,
    /** Built and exported. */
    Ready,
    /** Refused, or a Job failed; {@code status.message} says why. Final. */
    Error;

    /** The phase named {@code s}, or null for none or an unknown one (treated as not started). */
    static Phase parse(Object s) {
      for (Phase p : values()) {
        if (p.name().equals(s)) {
          return p;
        }
      }
      return null;
    }

    /** Ready and Error: nothing more happens. */
    boolean terminal() {
      return this == Ready || this == Error;
    }
  }

  private OsArtifacts() {}

  /** A new OSArtifact with this name, namespace and spec (a map as the API holds it). */
  public static GenericKubernetesResource resource(String namespace, String name, java.util.Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(API_VERSION);
    r.setKind(KIND);
    r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(namespace)
        .build());
    r.setAdditionalProperty("spec", spec);
    return r;
  }
}
