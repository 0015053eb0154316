package dev.kairos.factory.core.api.yip;

import java.util.Objects;

/**
 * One thing a step did to the image, or would do in a dry run: a file written, a user added, a
 * unit enabled, a command run. Also the things a step asked for that cannot happen at build time
 * ({@link Kind#NOT_APPLICABLE}). Prints as {@code step: KIND target (detail)}.
 *
 * @param kind what happened
 * @param step the identifier of the step ({@code <doc>.<name>})
 * @param target the path, user, unit, command or package list it happened to
 * @param detail mode, owner, size, reason; may be empty
 */
public record YipEffect(Kind kind, String step, String target, String detail) {
  /** The kinds of effect. */
  public enum Kind {
    FILE_WRITTEN,
    DIRECTORY_CREATED,
    MODE_CHANGED,
    OWNER_CHANGED,
    SYMLINK_CREATED,
    FILE_DELETED,
    USER_ADDED,
    USER_UPDATED,
    GROUP_ADDED,
    GROUP_CHANGED,
    ENTITY_CHANGED,
    KEY_ADDED,
    UNIT_ENABLED,
    UNIT_DISABLED,
    UNIT_MASKED,
    COMMAND_RUN,
    PACKAGES_CHANGED,
    /** Asked for, but only meaningful on a running machine or with the network; not done. */
    NOT_APPLICABLE
  }

  public YipEffect {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(detail, "detail");
  }

  @Override
  public String toString() {
    return step + ": " + kind + " " + target + (detail.isEmpty() ? "" : " (" + detail + ")");
  }
}
