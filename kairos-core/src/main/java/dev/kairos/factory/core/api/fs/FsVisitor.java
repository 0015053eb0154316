package dev.kairos.factory.core.api.fs;

import java.io.IOException;

/** Receives the entries of {@link RootFs#walk}, parents before children, siblings in byte order. */
@FunctionalInterface
public interface FsVisitor {
  /**
   * Receives one entry; a directory comes before its children.
   *
   * @throws IOException to stop the walk, which then throws it
   */
  void visit(FsEntry entry) throws IOException;
}
