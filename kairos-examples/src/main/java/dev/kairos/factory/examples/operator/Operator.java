package dev.kairos.factory.examples.operator;

import dev.kairos.factory.examples.operator.OsArtifacts.Phase;
import dev.kairos.factory.examples.operator.Reconciler.Action;
import dev.kairos.factory.examples.operator.Reconciler.Observed;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The controller: watches OSArtifacts and the Jobs and pods made for them (one namespace, or all),
 * and reconciles each OSArtifact named by an event, one at a time, with {@link Reconciler}. What
 * it changes it changes through the API server only; a failed call is retried on the next event
 * or resync.
 */
public final class Operator implements AutoCloseable {
  private static final String SELECTOR = OsArtifacts.MANAGED_BY_LABEL + "=" + OsArtifacts.MANAGED_BY;
  private static final long RESYNC_MILLIS = TimeUnit.MINUTES.toMillis(5);

  private final KubernetesClient client;
  private final String namespace;
  private final Reconciler reconciler;
  private final PrintWriter log;
  private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private Thread worker;

  /**
   * @param client the cluster
   * @param namespace the namespace to watch, or null for all
   * @param image our image, run by the builder Jobs
   * @param log where each change is reported, one line each
   */
  public Operator(KubernetesClient client, String namespace, String image, PrintWriter log) {
    this.client = client;
    this.namespace = namespace;
    this.reconciler = new Reconciler(image);
    this.log = log;
  }

  /** Starts the watches and the worker; returns once the caches are filled. */
  public synchronized void start() {
    informers.add(inform(namespace == null ? client.genericKubernetesResources(OsArtifacts.CONTEXT).inAnyNamespace()
        .runnableInformer(RESYNC_MILLIS) : client.genericKubernetesResources(OsArtifacts.CONTEXT)
        .inNamespace(namespace).runnableInformer(RESYNC_MILLIS), r -> key(r.getMetadata().getNamespace(),
        r.getMetadata().getName())));
    informers.add(inform(namespace == null ? client.batch().v1().jobs().inAnyNamespace().withLabel(
        OsArtifacts.MANAGED_BY_LABEL, OsArtifacts.MANAGED_BY).runnableInformer(0) : client.batch().v1().jobs()
        .inNamespace(namespace).withLabel(OsArtifacts.MANAGED_BY_LABEL, OsArtifacts.MANAGED_BY).runnableInformer(0),
        Operator::ownerKey));
    informers.add(inform(namespace == null ? client.pods().inAnyNamespace().withLabel(OsArtifacts.MANAGED_BY_LABEL,
        OsArtifacts.MANAGED_BY).runnableInformer(0) : client.pods().inNamespace(namespace)
        .withLabel(OsArtifacts.MANAGED_BY_LABEL, OsArtifacts.MANAGED_BY).runnableInformer(0), Operator::ownerKey));
    for (SharedIndexInformer<?> i : informers) {
      i.run();
    }
    worker = new Thread(this::work, "osartifact-reconciler");
    worker.setDaemon(true);
    worker.start();
  }

  private interface KeyOf<T> {
    String key(T t);
  }

  private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer, KeyOf<T> keyOf) {
    informer.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj) {
        enqueue(keyOf.key(obj));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        enqueue(keyOf.key(newObj));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        enqueue(keyOf.key(obj));
      }
    });
    return informer;
  }

  private static String ownerKey(HasMetadata o) {
    Map<String, String> labels = o.getMetadata().getLabels();
    String name = labels == null ? null : labels.get(OsArtifacts.ARTIFACT_LABEL);
    return name == null ? null : key(o.getMetadata().getNamespace(), name);
  }

  private static String key(String ns, String name) {
    return ns + "/" + name;
  }

  private void enqueue(String key) {
    if (key != null && !queue.contains(key)) {
      queue.add(key);
    }
  }

  private void work() {
    while (!Thread.currentThread().isInterrupted()) {
      String key;
      try {
        key = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      int slash = key.indexOf('/');
      try {
        reconcile(key.substring(0, slash), key.substring(slash + 1));
      } catch (KubernetesClientException e) {
        log(key + ": " + e.getMessage() + " (retried on the next event)");
      } catch (RuntimeException e) {
        log(key + ": " + e);
      }
    }
  }

  /**
   * Observes OSArtifact {@code ns/name} and what we made for it, and carries out what
   * {@link Reconciler#decide} says. Returns the actions carried out (none when it is gone or has
   * nothing to do).
   */
  public List<Action> reconcile(String ns, String name) {
    Resource<GenericKubernetesResource> resource = client.genericKubernetesResources(OsArtifacts.CONTEXT)
        .inNamespace(ns).withName(name);
    GenericKubernetesResource artifact = resource.get();
    if (artifact == null) {
      return List.of();
    }
    Observed o = observe(artifact);
    List<Action> actions = reconciler.decide(o);
    for (Action a : actions) {
      apply(resource, o, a);
    }
    return actions;
  }

  /** What the cluster holds of {@code artifact}: only our objects (our label and owner reference) are seen. */
  Observed observe(GenericKubernetesResource artifact) {
    String ns = artifact.getMetadata().getNamespace();
    String name = artifact.getMetadata().getName();
    Manifests m = new Manifests(name, ns, artifact.getMetadata().getUid(), "");
    Optional<Job> builder = Optional.ofNullable(client.batch().v1().jobs().inNamespace(ns)
        .withName(m.builderName()).get()).filter(j -> m.ours(j.getMetadata()));
    List<Pod> pods = builder.isEmpty() ? List.of() : client.pods().inNamespace(ns)
        .withLabel(OsArtifacts.JOB_NAME_LABEL, m.builderName()).list().getItems();
    Optional<PersistentVolumeClaim> pvc = Optional.ofNullable(client.persistentVolumeClaims().inNamespace(ns)
        .withName(m.pvcName()).get()).filter(p -> m.ours(p.getMetadata()));
    Map<Integer, Job> exporters = new LinkedHashMap<>();
    for (Job j : client.batch().v1().jobs().inNamespace(ns).withLabel(OsArtifacts.ARTIFACT_LABEL, name).list()
        .getItems()) {
      Map<String, String> ann = j.getMetadata().getAnnotations();
      String index = ann == null ? null : ann.get(OsArtifacts.EXPORT_INDEX_ANNOTATION);
      if (index != null && index.matches("[0-9]{1,4}") && m.ours(j.getMetadata())) {
        exporters.put(Integer.parseInt(index), j);
      }
    }
    Map<String, Object> status = map(artifact.getAdditionalProperties().get("status"));
    List<String> finalizers = artifact.getMetadata().getFinalizers();
    return new Observed(name, ns, artifact.getMetadata().getUid(), map(artifact.getAdditionalProperties().get("spec")),
        Phase.parse(status.get("phase")), status.get("message") instanceof String s ? s : null,
        artifact.getMetadata().getDeletionTimestamp() != null,
        finalizers != null && finalizers.contains(OsArtifacts.FINALIZER), pvc, builder, pods, exporters);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private void apply(Resource<GenericKubernetesResource> resource, Observed o, Action a) {
    String who = o.namespace() + "/" + o.name();
    if (a instanceof Action.AddFinalizer) {
      resource.edit(r -> withFinalizer(r, true));
    } else if (a instanceof Action.RemoveFinalizer) {
      resource.edit(r -> withFinalizer(r, false));
      log(who + ": deleted; its jobs and PVC removed");
    } else if (a instanceof Action.Create c) {
      try {
        client.resource(c.object()).create();
        log(who + ": created " + c.object().getKind() + " " + c.object().getMetadata().getName());
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
      }
    } else if (a instanceof Action.Delete d) {
      client.resource(d.object()).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      log(who + ": deleted " + d.object().getKind() + " " + d.object().getMetadata().getName());
    } else if (a instanceof Action.SetStatus s) {
      resource.editStatus(r -> {
        Map<String, Object> status = new LinkedHashMap<>(map(r.getAdditionalProperties().get("status")));
        status.put("phase", s.phase().name());
        status.put("message", s.message());
        r.setAdditionalProperty("status", status);
        return r;
      });
      log(who + ": " + s.phase().name() + ": " + s.message());
    }
  }

  private static GenericKubernetesResource withFinalizer(GenericKubernetesResource r, boolean on) {
    List<String> fs = new ArrayList<>(r.getMetadata().getFinalizers() == null ? List.of()
        : r.getMetadata().getFinalizers());
    fs.remove(OsArtifacts.FINALIZER);
    if (on) {
      fs.add(OsArtifacts.FINALIZER);
    }
    r.getMetadata().setFinalizers(fs);
    return r;
  }

  /** Reconciles every OSArtifact once (in the namespace, or all); returns each one's status after. */
  public Map<String, Map<String, Object>> reconcileAll() {
    Map<String, Map<String, Object>> result = new LinkedHashMap<>();
    List<GenericKubernetesResource> all = (namespace == null
        ? client.genericKubernetesResources(OsArtifacts.CONTEXT).inAnyNamespace().list()
        : client.genericKubernetesResources(OsArtifacts.CONTEXT).inNamespace(namespace).list()).getItems();
    for (GenericKubernetesResource r : all) {
      String ns = r.getMetadata().getNamespace();
      String name = r.getMetadata().getName();
      reconcile(ns, name);
      GenericKubernetesResource after = client.genericKubernetesResources(OsArtifacts.CONTEXT).inNamespace(ns)
          .withName(name).get();
      result.put(key(ns, name), after == null ? Map.of() : map(after.getAdditionalProperties().get("status")));
    }
    return result;
  }

  private synchronized void log(String line) {
    log.println(line);
    log.flush();
  }

  @Override
  public synchronized void close() {
    for (SharedIndexInformer<?> i : informers) {
      i.close();
    }
    informers.clear();
    if (worker != null) {
      worker.interrupt();
    }
  }
}
