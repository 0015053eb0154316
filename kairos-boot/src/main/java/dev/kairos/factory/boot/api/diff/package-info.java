/**
 * What differs between two ISOs or two disk images, by structure: {@link
 * dev.kairos.factory.boot.api.diff.MediaDiff} reads both with the readers of the formats this
 * module writes (GPT, FAT, the ext2 superblock, ISO 9660 with Rock Ridge) and answers with the
 * same {@link dev.kairos.factory.core.api.diff.DiffReport} as the tree diff of roots.
 *
 * <pre>{@code
 * DiffReport r = MediaDiff.compare(Path.of("a/kairos.raw"), Path.of("b/kairos.raw"));
 * System.out.println(r.explain(20));   // "partition[oem]/ext2: wtime 1735689600 -> 1765100000"
 * }</pre>
 */
package dev.kairos.factory.boot.api.diff;
