package dev.kairos.factory.oci.bench;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.api.sign.Cosign;
import dev.kairos.factory.oci.api.sign.SigningKey;
import dev.kairos.factory.oci.testing.LocalRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Benchmark, not a test: signing an image and pushing the signature (cosign's layout) with our
 * code, against the same done by hand with openssl + curl (a bash script: resolve the digest with
 * curl, write the payload, {@code openssl dgst -sha256 -sign}, upload payload and config blobs and
 * PUT the manifest with curl), each on its own copy of a small image in one local registry, and
 * prints the mean time per signature and the ratio. The hand script writes a one-signature
 * manifest; ours also reads the existing signatures to keep them. Run with
 * {@code kairos-oci/bench/sign-bench.sh [ROUNDS]}.
 */
public final class SignBench {
  private static final Duration T = Duration.ofMinutes(5);

  private SignBench() {}

  /** What a user would otherwise script, with the tools cosign's key format is readable by. */
  private static final String BY_HAND = """
      #!/bin/bash
      set -euo pipefail
      reg=$1 repo=$2 key=$3 dir=$4
      digest=$(curl -fsS -o /dev/null -D - -H 'Accept: application/vnd.oci.image.manifest.v1+json' \\
        "http://$reg/v2/$repo/manifests/v1" | tr -d '\\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
      printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \\
        "$reg/$repo" "$digest" > "$dir/payload"
      openssl dgst -sha256 -sign "$key" -out "$dir/sig" "$dir/payload"
      sig=$(base64 -w0 "$dir/sig")
      pd=sha256:$(sha256sum "$dir/payload" | cut -d' ' -f1); ps=$(stat -c %s "$dir/payload")
      printf '{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["%s"]},"config":{}}' "$pd" > "$dir/config"
      cd=sha256:$(sha256sum "$dir/config" | cut -d' ' -f1); cs=$(stat -c %s "$dir/config")
      upload() {
        loc=$(curl -fsS -X POST -o /dev/null -D - "http://$reg/v2/$repo/blobs/uploads/" | tr -d '\\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
        case $loc in http*) ;; *) loc="http://$reg$loc" ;; esac
        case $loc in *\\?*) sep='&' ;; *) sep='?' ;; esac
        curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$loc${sep}digest=$2" -o /dev/null
      }
      upload "$dir/payload" "$pd"
      upload "$dir/config" "$cd"
      printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%s,"digest":"%s"},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":%s,"digest":"%s","annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}' \\
        "$cs" "$cd" "$ps" "$pd" "$sig" > "$dir/manifest"
      curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$dir/manifest" \\
        "http://$reg/v2/$repo/manifests/sha256-${digest#sha256:}.sig" -o /dev/null
      """;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Path work = Files.createTempDirectory("kairos-sign-bench");
    try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"))) {
      Path src = Files.createDirectories(work.resolve("src"));
      RootFs root = RootFs.at(src);
      TestImages.populate(root, false);
      SigningKey key = SigningKey.generate();
      Path pem = work.resolve("key.pem");
      Files.writeString(pem, key.pkcs8Pem());
      Path script = work.resolve("by-hand.sh");
      Files.writeString(script, BY_HAND);
      int warmup = 3;
      for (int i = 0; i < rounds + warmup; i++) { // one image per signature, in its own repository (untimed)
        for (String side : new String[] {"ours", "hand"}) {
          OciTarget.registry(registry.address() + "/bench/" + side + i + ":v1").withLayers(OciTarget.Layers.SQUASHED)
              .write(TestImages.built(root, Optional.empty()), e -> { });
        }
      }
      long ours = 0;
      long hand = 0;
      for (int i = 0; i < rounds + warmup; i++) {
        long t0 = System.nanoTime();
        Cosign.registry().sign(ImageReference.of(registry.address() + "/bench/ours" + i + ":v1"), key);
        long t1 = System.nanoTime();
        Path dir = Files.createDirectories(work.resolve("hand" + i));
        Tools.run(T, "bash", script.toString(), registry.address(), "bench/hand" + i, pem.toString(), dir.toString());
        long t2 = System.nanoTime();
        if (i >= warmup) {
          ours += t1 - t0;
          hand += t2 - t1;
        }
      }
      // The hand-made signature is what ours would be: check one with our verifier, so both did the same work.
      if (Cosign.registry().verify(ImageReference.of(registry.address() + "/bench/hand" + warmup + ":v1"),
          key.verificationKey()).isEmpty()) {
        throw new IllegalStateException("the hand-made signature does not verify");
      }
      double o = ours / 1e6 / rounds;
      double h = hand / 1e6 / rounds;
      System.out.printf("sign + push, mean of %d after %d warm-up: ours %.1f ms, openssl + curl %.1f ms, ratio %.2f%n",
          rounds, warmup, o, h, o / h);
    } finally {
      Tools.run(T, "rm", "-rf", work.toString());
    }
  }
}
