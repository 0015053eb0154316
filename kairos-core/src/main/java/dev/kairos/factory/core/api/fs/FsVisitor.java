package dev.kairos.factory.core.api.fs;

import java.io.IOException;

/** Receives the entries of {@link RootFs#walk}, parents before children, siblings in byte order. */
@FunctionalInterface
public interface FsVisitor {
  void visit(FsEntry entry) throws IOException;
}
