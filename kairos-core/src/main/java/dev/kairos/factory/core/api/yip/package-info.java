/**
 * yip, the stage language of Kairos: parse ({@link dev.kairos.factory.core.api.yip.Yip}), check
 * ({@link dev.kairos.factory.core.api.yip.YipValidator}) and apply
 * ({@link dev.kairos.factory.core.api.yip.YipExecutor}) {@code stages:} documents and
 * {@code #cloud-config} files to a {@link dev.kairos.factory.core.api.fs.RootFs} at image build time.
 *
 * <h2>Compatibility</h2>
 *
 * The parser follows yip's decoder (yaml.v3): first document of a stream only, duplicate keys and
 * type mismatches reject the document, YAML 1.1 octal integers ({@code 0644}), plain scalars into
 * string fields keep their source text, yes/no booleans only unquoted, anchors and {@code <<}
 * merges. Within a step the keys run in yip's fixed order. Every error names
 * {@code file:line:column}.
 *
 * <h2>Where we differ from yip, and why</h2>
 *
 * yip has behaviours that are defects (crashes, data loss, nondeterminism). We chose:
 *
 * <ul>
 *   <li><b>Unknown keys are reported</b> ({@link dev.kairos.factory.core.api.yip.YipDiagnostic}
 *       warnings with a "did you mean"; errors in strict mode). yip ignores them silently, so
 *       {@code systctl} or {@code owner_string} did nothing without a word.
 *   <li><b>Order across files is strictly sequential</b>: steps run by (file order, step index),
 *       {@code after:} adds edges. yip's chain breaks on files that lack the stage and then runs
 *       later files concurrently (kairos#3353, harvester#8759); Kairos documents the sequential
 *       order, and a build must be deterministic.
 *   <li><b>An {@code after:} naming no step, or a cycle, is an error</b> for the whole source,
 *       reported before anything runs. yip crashes or silently drops the step.
 *   <li><b>A file that fails to parse fails the load of its directory</b>, as in yip, but loudly
 *       with its location (yip only logs). We do not skip it: an image built without part of its
 *       configuration is worse than a failed build.
 *   <li><b>Colliding step identifiers</b> are renamed {@code .1}, {@code .2}, ... in order (yip
 *       gives the third occurrence {@code .1} again and loses the second).
 *   <li><b>Users are looked up in the image</b> ({@code /etc/passwd} of the root file system), not
 *       on the host; so are owner names, entities, dns and os-release. Nothing touches the host.
 *   <li><b>An existing group named like a new user keeps its GID</b> (yip reallocates it).
 *   <li><b>{@code /etc/gshadow} follows {@code /etc/group}</b> where the image has one: groups
 *       made and members added by {@code users} are mirrored there, as groupadd does, so that
 *       {@code grpck} accepts the result (yip leaves gshadow stale).
 *   <li><b>Errors in a user's own {@code ssh_authorized_keys} are reported</b> (yip drops them).
 *   <li><b>Deleting a group that does not exist changes nothing</b> (yip removes the first line
 *       of {@code /etc/group}).
 *   <li><b>An empty list in {@code if_files} is no constraint</b>; the other checks still apply
 *       (yip passes the whole test at once, in random map order).
 *   <li><b>A cloud-config whose {@code stages:} part fails to decode is rejected</b> with its
 *       location; yip drops those stages silently (kairos#1963).
 *   <li><b>Text and paths are separate</b>: {@link dev.kairos.factory.core.api.yip.Yip#parse}
 *       takes text, {@link dev.kairos.factory.core.api.yip.Yip#load} a path that must exist.
 *       yip takes a mistyped path for YAML text, and a one-line document for a URL.
 *   <li><b>No umask</b>: directories and files get exactly the {@code permissions} asked for (yip's
 *       {@code mkdir} is subject to the process umask, so the result depended on the caller).
 *   <li><b>Map keys are processed in sorted order</b> (sysctl, environment, timesyncd,
 *       authorized_keys, if_files, command-line tokens), where yip's order is random.
 *   <li><b>Build time, not boot time</b>: effects on a running kernel are turned into the
 *       configuration files that make them happen at boot: {@code sysctl} goes to
 *       {@code /etc/sysctl.d/99-yip.conf}, {@code modules} to {@code /etc/modules-load.d/yip.conf},
 *       {@code hostname} writes {@code /etc/hostname} and {@code /etc/hosts} only, {@code systemctl}
 *       enable/disable/mask become unit symlinks made from the units' {@code [Install]} sections
 *       (or OpenRC runlevel links), {@code start} is reported and skipped. {@code layout},
 *       {@code datasource}, {@code downloads}, {@code git} and {@code unpack_images} need a running
 *       machine or the network: they are reported as not applicable, never dropped silently.
 *   <li><b>Hostile input meets limits</b>, each an error naming the file and the limit: aliases
 *       may expand a document to 1,000,000 nodes and 64 MiB of text (yaml.v3 has its own alias
 *       ratio); one template expansion may run 100,000 {@code range} iterations in all, produce
 *       16 MiB, and nest 100 levels. yip has no template limits: a few bytes can exhaust memory.
 *   <li><b>The password change day</b> of users {@code apply} creates is the build's source date
 *       inside a build; outside one, {@code SOURCE_DATE_EPOCH} if set, else today, as yip.
 * </ul>
 *
 * <p>Outside the implementation, {@code *.internal.*} packages are not API.
 */
package dev.kairos.factory.core.api.yip;
