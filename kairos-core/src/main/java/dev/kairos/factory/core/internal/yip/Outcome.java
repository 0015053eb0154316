package dev.kairos.factory.core.internal.yip;

import java.util.ArrayList;
import java.util.List;

/** The errors and notes of one step as its plugins run. */
final class Outcome {
  final List<String> errors = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  void error(String message) {
    errors.add(message);
  }

  void note(String message) {
    notes.add(message);
  }
}
