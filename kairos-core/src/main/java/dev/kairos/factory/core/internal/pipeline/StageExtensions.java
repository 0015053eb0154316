package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.ExtensionStage;
import java.io.IOException;

/** Runs the user's stage extensions of one stage against the image. */
interface StageExtensions {
  /** Extensions are off. */
  StageExtensions NONE = new StageExtensions() {
    @Override
    public String describe(ExtensionStage stage) {
      return "";
    }

    @Override
    public String fingerprint(ExtensionStage stage) {
      return "";
    }

    @Override
    public void run(StepContext ctx, ExtensionStage stage) {}
  };

  /** What will run at {@code stage}, for the plan; empty when nothing. */
  String describe(ExtensionStage stage) throws IOException;

  /** Everything that decides what {@code stage} does, for the step cache's key; empty when nothing runs. */
  String fingerprint(ExtensionStage stage) throws IOException;

  void run(StepContext ctx, ExtensionStage stage) throws IOException;
}
