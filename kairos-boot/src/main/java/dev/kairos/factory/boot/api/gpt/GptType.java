package dev.kairos.factory.boot.api.gpt;

import java.util.UUID;

/** Well-known GPT partition type GUIDs (any other UUID may be used as a type too). */
public final class GptType {
  /** EFI system partition ({@code ef00}). */
  public static final UUID ESP = UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
  /** BIOS boot partition for GRUB's core image ({@code ef02}). */
  public static final UUID BIOS_BOOT = UUID.fromString("21686148-6449-6e6f-744e-656564454649");
  /** Linux file system data ({@code 8300}). */
  public static final UUID LINUX_DATA = UUID.fromString("0fc63daf-8483-4772-8e79-3d69d8477de4");
  /** Linux root for x86-64, as the Discoverable Partitions Specification names it ({@code 8304}). */
  public static final UUID LINUX_ROOT_X86_64 = UUID.fromString("4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
  /** Microsoft basic data ({@code 0700}). */
  public static final UUID BASIC_DATA = UUID.fromString("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");

  private GptType() {
  }
}
