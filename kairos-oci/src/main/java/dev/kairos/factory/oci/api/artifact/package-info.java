/**
 * OCI artifacts in a registry: boot media (ISO, raw disk, UKI), SBOMs and build provenance pushed
 * as OCI 1.1 artifact manifests, pulled back with every blob's digest checked, and attached to an
 * image as referrers ({@code subject}).
 *
 * <p>The entry point is {@link dev.kairos.factory.oci.api.artifact.OciArtifacts}; what a push or
 * pull describes is an {@link dev.kairos.factory.oci.api.artifact.OciArtifact}, what refers to an
 * image a {@link dev.kairos.factory.oci.api.artifact.Referrer}, and the in-toto statement of a
 * build a {@link dev.kairos.factory.oci.api.artifact.Provenance}.
 *
 * <p>Compatible with: the OCI image spec 1.1 (an artifact is an image manifest with
 * {@code artifactType}, the empty config {@code application/vnd.oci.empty.v1+json} and one layer
 * per file named by {@code org.opencontainers.image.title}, as {@code oras push} makes it) and the
 * OCI distribution spec 1.1 referrers: the registry's referrers API where it has one, else the
 * tag schema ({@code sha256-<hex>} tag holding an image index of referrer descriptors), which
 * this package keeps up to date and reads; Debian's {@code docker-registry} 2.8 has only the
 * latter.
 *
 * <p>Where it differs, and why: blobs travel and manifests and indexes are read through
 * oras-java; manifests and the referrers index are written with the library's own registry
 * client, so that their bytes (and digests) are ours and reproducible, and so that a registry
 * without a referrers API can still be given a referrer (oras-java 0.7.0 stamps the wall clock
 * into {@code created}, and refuses a {@code subject} the registry does not acknowledge). A pulled
 * file's name may not hold a path: {@code a/b} is refused rather than making directories.
 */
package dev.kairos.factory.oci.api.artifact;
