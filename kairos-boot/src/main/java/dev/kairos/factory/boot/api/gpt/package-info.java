/**
 * GUID partition tables: disks laid out from partitions and their contents, with partition type
 * GUIDs and GUIDs derived from a seed so the same inputs give the same disk.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.gpt;
