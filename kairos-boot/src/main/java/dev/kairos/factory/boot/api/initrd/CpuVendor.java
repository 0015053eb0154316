package dev.kairos.factory.boot.api.initrd;

/** The x86 CPU vendors whose early microcode the kernel loads from {@code kernel/x86/microcode/<id>.bin}. */
public enum CpuVendor {
  /** Intel; CPUID vendor {@code GenuineIntel}. */
  INTEL("GenuineIntel"),
  /** AMD; CPUID vendor {@code AuthenticAMD}. */
  AMD("AuthenticAMD");

  private final String cpuid;

  CpuVendor(String cpuid) {
    this.cpuid = cpuid;
  }

  /** The vendor string of CPUID leaf 0, which names the microcode file. */
  public String cpuid() {
    return cpuid;
  }
}
