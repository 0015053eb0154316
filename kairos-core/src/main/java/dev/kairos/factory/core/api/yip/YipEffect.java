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
    /** A file was written. */
    FILE_WRITTEN,
    /** A directory was created. */
    DIRECTORY_CREATED,
    /** Permissions were changed. */
    MODE_CHANGED,
    /** Owner or group was changed. */
    OWNER_CHANGED,
    /** A symbolic link was made (units, runlevels). */
    SYMLINK_CREATED,
    /** A file was removed. */
    FILE_DELETED,
    /** A user was created. */
    USER_ADDED,
    /** An existing user's password or fields were changed. */
    USER_UPDATED,
    /** A group was created. */
    GROUP_ADDED,
    /** A group's members were changed. */
    GROUP_CHANGED,
    /** A line of passwd, shadow, group or gshadow was made, changed or removed by an entity. */
    ENTITY_CHANGED,
    /** SSH keys were added to a user's authorized_keys. */
    KEY_ADDED,
    /** A unit was enabled. */
    UNIT_ENABLED,
    /** A unit was disabled. */
    UNIT_DISABLED,
    /** A unit was masked. */
    UNIT_MASKED,
    /** A command ran in the image. */
    COMMAND_RUN,
    /** Packages were installed, removed or refreshed. */
    PACKAGES_CHANGED,
    /** Asked for, but only meaningful on a running machine or with the network; not done. */
    NOT_APPLICABLE
  }

  /** Refuses {@code null}. */
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
