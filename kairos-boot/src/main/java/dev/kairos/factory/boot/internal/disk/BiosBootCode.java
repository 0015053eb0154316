package dev.kairos.factory.boot.internal.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What {@code grub-bios-setup} does for a core image embedded in a BIOS boot partition, done on
 * bytes: GRUB's {@code boot.img} (the MBR code) learns the LBA of the core's first sector, and the
 * block list at the end of that first sector ({@code diskboot.img}) lists the remaining sectors.
 *
 * <p>The offsets are those of GRUB 2's {@code include/grub/i386/pc/boot.h}: the kernel sector
 * (64-bit LBA) at {@code 0x5c}, the boot drive at {@code 0x64} ({@code 0xff}: take the BIOS's
 * {@code DL}), the two-byte floppy check jump at {@code 0x66} (replaced by two NOPs for hard disks),
 * and a 12-byte block list entry ({@code u64 start, u16 sectors, u16 segment}) ending the
 * diskboot sector; the rest of the core loads at segment {@code 0x820}.
 */
public final class BiosBootCode {
  private static final int SECTOR = 512;
  /** The MBR bytes that are code; the disk signature and partition table follow. */
  public static final int MBR_CODE_BYTES = 440;
  private static final int KERNEL_SECTOR = 0x5c;
  private static final int BOOT_DRIVE = 0x64;
  private static final int DRIVE_CHECK = 0x66;
  private static final int BLOCKLIST = SECTOR - 12;
  private static final int CORE_SEGMENT = 0x820;

  private BiosBootCode() {
  }

  /** The first 440 bytes of {@code bootImg} pointed at a core image starting at {@code coreLba}. */
  public static byte[] mbrCode(byte[] bootImg, long coreLba) {
    if (bootImg.length != SECTOR || (bootImg[510] & 0xff) != 0x55 || (bootImg[511] & 0xff) != 0xaa) {
      throw new IllegalArgumentException("not a GRUB boot.img (512 bytes ending 55 aa), got " + bootImg.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(bootImg, MBR_CODE_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(KERNEL_SECTOR, coreLba);
    b.put(BOOT_DRIVE, (byte) 0xff);
    // Some BIOSes pass a wrong drive number; GRUB skips its floppy test on hard disks.
    b.put(DRIVE_CHECK, (byte) 0x90).put(DRIVE_CHECK + 1, (byte) 0x90);
    return b.array();
  }

  /**
   * {@code coreImg} padded to whole sectors, its block list saying that the sectors after the
   * first follow it contiguously from {@code coreLba + 1}.
   */
  public static byte[] core(byte[] coreImg, long coreLba) {
    int sectors = (coreImg.length + SECTOR - 1) / SECTOR;
    if (sectors < 2 || sectors - 1 > 0xffff) {
      throw new IllegalArgumentException("not a GRUB i386-pc core image size: " + coreImg.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(coreImg, sectors * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
    // grub-mkimage leaves one entry {start 2 (right after the MBR gap's first sector), the other
    // sectors, segment 0x820} and a terminator before it; anything else is another layout.
    if (b.getLong(BLOCKLIST) != 2 || b.getShort(BLOCKLIST + 10) != CORE_SEGMENT || b.getShort(BLOCKLIST - 4) != 0) {
      throw new IllegalArgumentException("core image does not start with GRUB's diskboot block list");
    }
    b.putLong(BLOCKLIST, coreLba + 1);
    b.putShort(BLOCKLIST + 8, (short) (sectors - 1));
    return b.array();
  }
}
