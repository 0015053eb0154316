package dev.kairos.factory.core.api;

import java.util.Arrays;
import java.util.List;

/**
 * The six points where stage extensions (yip files from the extensions directory) run, in order.
 * Each runs after the pipeline's own steps of that point: {@code before-install} before any package
 * is installed, {@code after-install} before cloud-configs and binaries are written,
 * {@code before-init} before the release file, {@code init} after cleanup, {@code after-init} last.
 */
public enum ExtensionStage {
  /** Before any package is installed. */
  BEFORE_INSTALL("before-install", Phase.INSTALL),
  /** After the install phase's package and kernel steps. */
  INSTALL("install", Phase.INSTALL),
  /** Before cloud-configs and binaries are written. */
  AFTER_INSTALL("after-install", Phase.INSTALL),
  /** Before the release file is written. */
  BEFORE_INIT("before-init", Phase.INIT),
  /** After cleanup. */
  INIT("init", Phase.INIT),
  /** Last. */
  AFTER_INIT("after-init", Phase.INIT);

  private final String id;
  private final Phase phase;

  ExtensionStage(String id, Phase phase) {
    this.id = id;
    this.phase = phase;
  }

  /** The yip stage name, e.g. {@code after-install}. */
  public String id() {
    return id;
  }

  /** The phase whose run includes this stage. */
  public Phase phase() {
    return phase;
  }

  /** Every stage's name, in order. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(ExtensionStage::id).toList();
  }

  @Override
  public String toString() {
    return id;
  }
}
