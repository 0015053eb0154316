package dev.kairos.factory.boot.api.gpt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a partition holds. The writer gets a channel over exactly the partition's bytes (position
 * 0 is the partition's first byte, writes past its end fail); bytes it does not write read as
 * zeros, and stay holes in a sparse disk file.
 */
@FunctionalInterface
public interface PartitionContent {
  /** Writes the content into {@code partition}, a channel over the partition's bytes only. */
  void writeTo(SeekableByteChannel partition) throws IOException;

  /** Nothing: the partition reads as zeros. */
  static PartitionContent empty() {
    return ch -> { };
  }

  /** The bytes of a host file, e.g. a file system image. */
  static PartitionContent ofFile(Path file) {
    return ch -> {
      try (InputStream in = Files.newInputStream(file)) {
        in.transferTo(Channels.newOutputStream(ch));
      }
    };
  }

  /** Fixed bytes. */
  static PartitionContent ofBytes(byte[] bytes) {
    byte[] copy = bytes.clone();
    return ch -> ch.write(ByteBuffer.wrap(copy));
  }
}
