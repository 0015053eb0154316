package dev.kairos.factory.core.api.distro;

/** The program that builds the initramfs of an image: dracut everywhere but Alpine (mkinitfs). */
public enum InitrdTool {
  /** dracut, on every family but Alpine. */
  DRACUT("dracut"),
  /** Alpine's {@code mkinitfs}. */
  MKINITFS("mkinitfs");

  private final String program;

  InitrdTool(String program) {
    this.program = program;
  }

  /** The program name inside the image. */
  public String program() {
    return program;
  }
}
