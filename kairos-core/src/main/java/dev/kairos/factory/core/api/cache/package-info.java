/**
 * The step cache: a build stores snapshots of the root after the steps worth keeping, keyed by a
 * digest of everything that can change the root up to there, and a later build with the same key
 * restores the snapshot instead of running those steps (as a layer cache does for a Dockerfile).
 *
 * <p>{@link dev.kairos.factory.core.api.cache.StepCache} is the store's interface; the pipeline
 * computes the keys and decides where to take snapshots. {@code kairos-oci}'s {@code OciStepCache}
 * stores each snapshot as a diff layer in a local blob store.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice.
 */
package dev.kairos.factory.core.api.cache;
