/**
 * Differences that matter between two builds: {@link dev.kairos.factory.core.api.diff.TreeDiff}
 * compares two root file systems file by file (presence, type, content hash, mode, owner, times,
 * xattrs, link target, device numbers), and {@link dev.kairos.factory.core.api.diff.DiffReport} is
 * the answer every comparer in the project gives (the boot module's disk and ISO comparers too):
 * a sorted list of {@link dev.kairos.factory.core.api.diff.Difference}s that prints as one line each.
 *
 * <pre>{@code
 * DiffReport report = TreeDiff.compare(RootFs.at(Path.of("build-1/rootfs")), RootFs.at(Path.of("build-2/rootfs")));
 * if (!report.identical()) {
 *   System.out.println(report.explain(50));   // "/etc/hostname: content sha256:ab.. -> sha256:cd.."
 * }
 * }</pre>
 */
package dev.kairos.factory.core.api.diff;
