package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A CPU architecture, spelt as Kairos (and Go, and OCI platforms) spell it: {@code amd64},
 * {@code arm64}, {@code riscv64}. The kernel's spelling ({@code uname -m}) is {@link #unameName()}.
 */
public enum Architecture {
  /** 64-bit x86 ({@code x86_64}). */
  AMD64("amd64", "x86_64"),
  /** 64-bit ARM ({@code aarch64}). */
  ARM64("arm64", "aarch64"),
  /** 64-bit RISC-V. */
  RISCV64("riscv64", "riscv64");

  private final String id;
  private final String uname;

  Architecture(String id, String uname) {
    this.id = id;
    this.uname = uname;
  }

  /** The Kairos name, written as {@code KAIROS_ARCH}: {@code amd64}, {@code arm64}, {@code riscv64}. */
  public String id() {
    return id;
  }

  /** The kernel's name ({@code uname -m}, {@code os.arch} on some JVMs): {@code x86_64}, {@code aarch64}. */
  public String unameName() {
    return uname;
  }

  /** The Kairos names of all architectures. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(Architecture::id).toList();
  }

  /**
   * As {@link #parse}, unchecked: for a name the calling code holds (a constant, a stream
   * element), e.g. {@code Stream.of("x").map(Architecture::of)}.
   *
   * @throws IllegalArgumentException if no architecture has that name (the message lists the known ones)
   */
  public static Architecture of(String name) {
    try {
      return parse(name);
    } catch (UnsupportedTargetException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * The architecture named {@code name}, in the Kairos or the kernel spelling (case-insensitive).
   *
   * @throws UnsupportedTargetException listing the Kairos names
   */
  public static Architecture parse(String name) throws UnsupportedTargetException {
    String want = name.toLowerCase(Locale.ROOT);
    for (Architecture a : values()) {
      if (a.id.equals(want) || a.uname.equals(want)) {
        return a;
      }
    }
    throw new UnsupportedTargetException("architecture", name, ids());
  }

  /**
   * The architecture of the image at {@code root}: the ELF header of its {@code /bin/sh} (else
   * {@code /usr/bin/env}, {@code /bin/busybox}, {@code /usr/bin/bash}), symlinks followed inside the
   * image. An arm64 base on an amd64 machine is arm64, as kairos-init running in it would say.
   *
   * @return empty when none of those is an ELF binary (an empty or script-only tree)
   * @throws UnsupportedTargetException if the binary is for a machine that is none of ours
   */
  public static Optional<Architecture> of(RootFs root) throws IOException {
    return ElfArch.detect(root);
  }

  /**
   * The architecture of the running JVM.
   *
   * @throws UnsupportedTargetException if it is none of ours
   */
  public static Architecture host() throws UnsupportedTargetException {
    return parse(System.getProperty("os.arch"));
  }

  @Override
  public String toString() {
    return id;
  }
}
