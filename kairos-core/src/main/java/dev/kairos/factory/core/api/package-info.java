/**
 * The entry point of the library: {@code Kairos.from(source)} returns the fluent {@code ImageBuilder}
 * that says what to build (version, model, provider, steps to skip, runner, listener), and
 * {@code build()} runs the Kairosification pipeline and returns a {@code KairosBuild} whose image
 * goes to targets. Also the closed sets the builder takes ({@code Step}, {@code Phase},
 * {@code Provider}, ...) and the checked {@code KairosException} hierarchy every module throws for
 * conditions of the world ({@code IllegalArgumentException} is API misuse).
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api;
