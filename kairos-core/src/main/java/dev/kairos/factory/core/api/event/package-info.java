/**
 * Typed build events (step started and finished, progress in bytes, command output, cache hits)
 * and the {@code EventListener} that receives them. The core has no logging framework;
 * {@code Slf4jEventListener} bridges to SLF4J when it is on the class path.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.event;
