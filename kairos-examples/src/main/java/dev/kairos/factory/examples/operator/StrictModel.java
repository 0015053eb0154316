package dev.kairos.factory.examples.operator;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes objects into fabric8's model classes strictly. The model classes keep a field
 * they do not know in a map instead of failing, so a misspelt {@code nodeSelecter} or a field the
 * API does not have would pass unseen; here every such field is found and named by its path.
 * Used for what users give us (an exporter's Job spec, a toleration) and, in the tests, for every
 * manifest we write.
 */
public final class StrictModel {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final int MAX_DEPTH = 64;

  private StrictModel() {}

  /** {@code value} (maps and lists as parsed from JSON or YAML) as a {@code type}; unknown fields go to {@code unknown}. */
  public static <T> T convert(Object value, Class<T> type, String path, List<String> unknown) {
    T t = SERIALIZATION.convertValue(value, type);
    unknown.addAll(unknownFields(t, path));
    return t;
  }

  /** The YAML or JSON {@code text} as a {@code type}; throws naming every field the model does not have. */
  public static <T> T read(String text, Class<T> type) {
    T t = SERIALIZATION.unmarshal(text, type);
    List<String> unknown = unknownFields(t, "");
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("fields the Kubernetes API does not have: " + String.join(", ", unknown));
    }
    return t;
  }

  /** The model's YAML of {@code o}. */
  public static String yaml(Object o) {
    return SERIALIZATION.asYaml(o);
  }

  /** The paths of every field under {@code o} that its model class does not know. */
  public static List<String> unknownFields(Object o, String path) {
    List<String> found = new ArrayList<>();
    walk(o, path, found, 0);
    return found;
  }

  private static void walk(Object o, String path, List<String> found, int depth) {
    if (o == null || depth > MAX_DEPTH) {
      return;
    }
    if (o instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", found, depth + 1);
      }
      return;
    }
    if (o instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        walk(e.getValue(), path + "[" + e.getKey() + "]", found, depth + 1);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return; // strings, numbers, and the free-form values of the API (e.g. JSON in a schema default)
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
          || m.getName().equals("getClass") || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      if (m.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
        for (Object key : extra.keySet()) {
          found.add(path.isEmpty() ? String.valueOf(key) : path + "." + key);
        }
      } else {
        walk(value, path.isEmpty() ? field : path + "." + field, found, depth + 1);
      }
    }
  }
}
