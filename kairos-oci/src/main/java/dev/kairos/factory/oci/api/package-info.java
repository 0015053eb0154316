/**
 * OCI images in and out, without a daemon: image references and Kairos' artifact names, pulling
 * from a registry or a layout ({@code OciSource}), pushing or writing a layout or archive
 * ({@code OciTarget}), multi-platform indexes, and the errors a registry can cause.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.oci.api;
