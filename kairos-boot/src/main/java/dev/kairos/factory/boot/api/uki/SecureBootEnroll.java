package dev.kairos.factory.boot.api.uki;

/** systemd-boot's {@code secure-boot-enroll} setting: when it enrolls {@code loader/keys/auto}. */
public enum SecureBootEnroll {
  /** Only when it is safe (e.g. in a VM); AuroraBoot's default. */
  IF_SAFE("if-safe"),
  /** Offer an enrolment menu entry. */
  MANUAL("manual"),
  /** Enroll whenever the firmware is in Setup Mode. */
  FORCE("force"),
  /** Never. */
  OFF("off");

  private final String value;

  SecureBootEnroll(String value) {
    this.value = value;
  }

  /** The value as written in {@code loader.conf}. */
  public String value() {
    return value;
  }
}
