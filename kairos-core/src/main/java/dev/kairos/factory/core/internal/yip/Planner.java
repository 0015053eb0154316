package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.yip.YipDocument;
import dev.kairos.factory.core.api.yip.YipPlan.PlannedStep;
import dev.kairos.factory.core.api.yip.YipStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Step identifiers and run order of one stage over the documents of one source. */
public final class Planner {
  private Planner() {}

  /**
   * Names every step of {@code stage} and orders them by (document, index); with
   * {@code honourAfter}, a step runs only once every step its {@code after:} names has run.
   */
  public static List<PlannedStep> plan(String stage, List<YipDocument> docs, boolean honourAfter)
      throws InvalidInputException {
    List<PlannedStep> natural = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (YipDocument d : docs) {
      List<YipStep> steps = d.stage(stage);
      Set<String> names = new HashSet<>();
      boolean duplicates = false;
      for (YipStep s : steps) {
        duplicates |= !names.add(s.name());
      }
      for (int i = 0; i < steps.size(); i++) {
        YipStep s = steps.get(i);
        String local = duplicates ? s.name() + "." + i : s.name().isEmpty() ? String.valueOf(i) : s.name();
        String id = d.idRoot() + "." + local;
        int n = seen.merge(id, 1, Integer::sum);
        if (n > 1) {
          String renamed = id + "." + (n - 1);
          while (seen.containsKey(renamed)) {
            renamed = renamed + ".1";
          }
          seen.put(renamed, 1);
          id = renamed;
        }
        natural.add(new PlannedStep(id, d, s));
      }
    }
    if (!honourAfter) {
      return natural;
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < natural.size(); i++) {
      index.putIfAbsent(natural.get(i).id(), i);
    }
    List<InvalidInputException> problems = references(stage, natural, index);
    if (!problems.isEmpty()) {
      throw problems.get(0);
    }
    return ordered(natural, index);
  }

  /**
   * Every problem of {@code after:} in {@code stage}: each name that matches no step, each step
   * after itself, else a cycle. Empty if the stage can be ordered.
   */
  public static List<InvalidInputException> problems(String stage, List<YipDocument> docs)
      throws InvalidInputException {
    List<PlannedStep> natural = plan(stage, docs, false);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < natural.size(); i++) {
      index.putIfAbsent(natural.get(i).id(), i);
    }
    List<InvalidInputException> problems = references(stage, natural, index);
    if (problems.isEmpty()) {
      try {
        ordered(natural, index);
      } catch (InvalidInputException e) {
        problems.add(e);
      }
    }
    return problems;
  }

  private static List<InvalidInputException> references(String stage, List<PlannedStep> natural,
      Map<String, Integer> index) {
    List<InvalidInputException> out = new ArrayList<>();
    for (PlannedStep p : natural) {
      for (String a : p.step().after()) {
        if (!index.containsKey(a)) {
          out.add(new InvalidInputException(p.step().location().source(), p.step().location().line(),
              p.step().location().column(), "step " + p.id() + ": after '" + a + "' names no step of stage "
              + stage + " in this source; known: " + index.keySet().stream().sorted().toList()));
        } else if (a.equals(p.id())) {
          out.add(new InvalidInputException(p.step().location().source(), p.step().location().line(),
              p.step().location().column(), "step " + p.id() + " is after itself"));
        }
      }
    }
    return out;
  }

  /** Stable order: repeatedly take the first step (in natural order) whose after: steps are done. */
  private static List<PlannedStep> ordered(List<PlannedStep> natural, Map<String, Integer> index)
      throws InvalidInputException {
    List<PlannedStep> out = new ArrayList<>();
    boolean[] done = new boolean[natural.size()];
    Set<String> doneIds = new HashSet<>();
    while (out.size() < natural.size()) {
      boolean progressed = false;
      for (int i = 0; i < natural.size(); i++) {
        if (!done[i] && doneIds.containsAll(natural.get(i).step().after())) {
          done[i] = true;
          doneIds.add(natural.get(i).id());
          out.add(natural.get(i));
          progressed = true;
          break;
        }
      }
      if (!progressed) {
        List<String> stuck = new ArrayList<>();
        for (int i = 0; i < natural.size(); i++) {
          if (!done[i]) {
            stuck.add(natural.get(i).id());
          }
        }
        PlannedStep first = natural.get(index.get(stuck.get(0)));
        throw new InvalidInputException(first.step().location().source(), first.step().location().line(),
            first.step().location().column(), "after: references form a cycle among " + stuck);
      }
    }
    return out;
  }
}
