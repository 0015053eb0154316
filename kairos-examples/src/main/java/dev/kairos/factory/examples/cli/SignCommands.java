package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.artifact.OciArtifacts;
import dev.kairos.factory.oci.api.sign.Cosign;
import dev.kairos.factory.oci.api.sign.Dsse;
import dev.kairos.factory.oci.api.sign.ImageSignature;
import dev.kairos.factory.oci.api.sign.SigningKey;
import dev.kairos.factory.oci.api.sign.VerificationKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cosign's key-based verbs: {@code sign}, {@code verify}, {@code sign-blob}, {@code verify-blob},
 * {@code generate-key-pair}, with cosign's flags and files; the password of an encrypted key comes
 * from {@code COSIGN_PASSWORD}, as cosign reads it.
 */
final class SignCommands {
  private static final JsonMapper PROVENANCE_JSON = JsonMapper.builder().build();
  static final String PASSWORD_VARIABLE = "COSIGN_PASSWORD";

  private SignCommands() {}

  /** The private key at {@code file}, opened with {@code COSIGN_PASSWORD} if it is cosign's encrypted form. */
  static SigningKey readKey(Path file) throws IOException {
    return SigningKey.read(file, System.getenv(PASSWORD_VARIABLE));
  }

  /** Signs the image a push wrote: its repository at the digest pushed. */
  static ImageSignature signPushed(String pushed, Artifact artifact, SigningKey key) throws IOException {
    ImageReference ref = ImageReference.parse(pushed);
    String digest = artifact.digest().orElseThrow(() -> new IllegalStateException("the push reported no digest"));
    return Cosign.registry().sign(ref.withDigest(digest), key);
  }

  static ImageReference reference(CommandSpec spec, String text) throws IOException {
    return InitOptions.attribute(spec, "REF", () -> {
      try {
        return ImageReference.parse(text);
      } catch (InvalidInputException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    });
  }

  static Map<String, Object> json(ImageSignature s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dockerReference", s.dockerReference());
    m.put("digest", s.digest());
    m.put("signatureTag", s.signatureTag());
    m.put("payloadDigest", s.payloadDigest());
    m.put("signature", s.signature());
    m.put("optional", new TreeMap<>(s.optional()));
    m.put("signatures", s.signatures());
    return m;
  }

  /** {@code sign REF --key KEY}. */
  @Command(name = "sign", description = "Sign an image in a registry with a key, as cosign sign --key does"
      + " (the signature is pushed beside it as sha256-<hex>.sig; signatures already there are kept).")
  static final class Sign extends Verb {
    @Parameters(index = "0", paramLabel = "REF", description = "The image, by tag or digest.")
    String reference;

    @Option(names = {"--key", "-k"}, required = true, paramLabel = "KEY", converter = Converters.ExistingPath.class,
        description = "Private key: cosign.key (password from COSIGN_PASSWORD) or PEM (PKCS#8 or EC).")
    Path key;

    @Option(names = {"-a", "--annotations"}, paramLabel = "KEY=VALUE",
        description = "Annotation for the payload's optional section (repeatable).")
    Map<String, String> annotations = new TreeMap<>();

    @Override
    int run(Output out) throws Exception {
      ImageReference ref = reference(spec, reference);
      ImageSignature s = Cosign.registry().withAnnotations(annotations).sign(ref, readKey(key));
      out.result(json(s), "signed " + s.dockerReference() + "@" + s.digest() + "\n  signature  " + s.signatureTag()
          + " (" + s.signatures() + (s.signatures() == 1 ? " signature)" : " signatures)"));
      return 0;
    }
  }

  /** {@code verify REF --key PUB}. */
  @Command(name = "verify", description = "Verify an image's cosign signatures with a public key; fails unless one holds.")
  static final class Verify extends Verb {
    @Parameters(index = "0", paramLabel = "REF", description = "The image, by tag or digest.")
    String reference;

    @Option(names = {"--key", "-k"}, required = true, paramLabel = "PUB", converter = Converters.ExistingPath.class,
        description = "Public key (cosign.pub).")
    Path key;

    @Option(names = "--provenance", description = "Also verify the signed provenance statement attached to the image"
        + " (a DSSE envelope signed with the same key) and print it.")
    boolean provenance;

    @Override
    int run(Output out) throws Exception {
      ImageReference ref = reference(spec, reference);
      VerificationKey pub = VerificationKey.read(key);
      List<ImageSignature> ok = Cosign.registry().verify(ref, pub);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("reference", ref.toString());
      m.put("digest", ok.get(0).digest());
      m.put("verified", ok.stream().map(SignCommands::json).toList());
      StringBuilder human = new StringBuilder("verified " + ref.name() + "@" + ok.get(0).digest() + ": " + ok.size()
          + (ok.size() == 1 ? " signature" : " signatures") + " by " + key);
      for (ImageSignature s : ok) {
        human.append("\n  payload ").append(s.payloadDigest());
      }
      if (provenance) {
        String pinned = ref.registry() + "/" + ref.repository() + "@" + ok.get(0).digest();
        byte[] envelope = OciArtifacts.create().provenance(pinned)
            .orElseThrow(() -> new KairosException(pinned + ": no provenance is attached"));
        byte[] statement = Dsse.verify(envelope, pub, pinned + " provenance");
        m.put("provenance", PROVENANCE_JSON.readTree(statement));
        human.append("\nprovenance verified:\n").append(new String(statement, StandardCharsets.UTF_8));
      }
      out.result(m, human.toString());
      return 0;
    }
  }

  /** {@code sign-blob FILE --key KEY -o FILE.sig}. */
  @Command(name = "sign-blob", description = "Sign a file (a checksum file, say) as cosign sign-blob --key does:"
      + " the base64 signature is written to -o, or printed.")
  static final class SignBlob extends Verb {
    @Parameters(index = "0", paramLabel = "FILE", converter = Converters.ExistingPath.class, description = "The file to sign.")
    Path file;

    @Option(names = {"--key", "-k"}, required = true, paramLabel = "KEY", converter = Converters.ExistingPath.class,
        description = "Private key: cosign.key (password from COSIGN_PASSWORD) or PEM (PKCS#8 or EC).")
    Path key;

    @Option(names = {"-o", "--output-signature"}, paramLabel = "FILE.sig", description = "Where to write the signature.")
    Path output;

    @Override
    int run(Output out) throws Exception {
      String sig = Cosign.signBlob(file, readKey(key));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file.toString());
      m.put("signature", sig);
      if (output != null) {
        try (ExclusiveLock lock = ExclusiveLock.forOutput(output)) {
          AtomicFile.write(output, t -> Files.writeString(t, sig, StandardCharsets.US_ASCII));
        }
        m.put("output", output.toString());
        out.result(m, "wrote " + output);
      } else {
        out.result(m, sig);
      }
      return 0;
    }
  }

  /** {@code verify-blob FILE --key PUB --signature FILE.sig}. */
  @Command(name = "verify-blob", description = "Verify a file's signature (base64, as sign-blob writes) with a public key.")
  static final class VerifyBlob extends Verb {
    @Parameters(index = "0", paramLabel = "FILE", converter = Converters.ExistingPath.class, description = "The signed file.")
    Path file;

    @Option(names = {"--key", "-k"}, required = true, paramLabel = "PUB", converter = Converters.ExistingPath.class,
        description = "Public key (cosign.pub).")
    Path key;

    @Option(names = "--signature", required = true, paramLabel = "FILE.sig", converter = Converters.ExistingPath.class,
        description = "The signature file.")
    Path signature;

    @Override
    int run(Output out) throws Exception {
      Cosign.verifyBlob(file, VerificationKey.read(key), Files.readString(signature, StandardCharsets.US_ASCII));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file.toString());
      m.put("verified", true);
      out.result(m, "verified " + file);
      return 0;
    }
  }

  /** {@code generate-key-pair [-o DIR] [--pem]}. */
  @Command(name = "generate-key-pair", description = "Write an ECDSA P-256 key pair as cosign generate-key-pair does:"
      + " cosign.key (encrypted with COSIGN_PASSWORD) and cosign.pub; with --pem an unencrypted PKCS#8 cosign.pem instead"
      + " of cosign.key. Private keys are private to their owner (0600); existing key files are never replaced.")
  static final class GenerateKeyPair extends Verb {
    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = ".",
        description = "Directory to write the keys to (default: the current directory).")
    Path output;

    @Option(names = "--pem", description = "Write an unencrypted PKCS#8 cosign.pem instead of cosign.key.")
    boolean pem;

    @Override
    int run(Output out) throws Exception {
      String password = System.getenv(PASSWORD_VARIABLE);
      if (!pem && password == null) {
        throw new ParameterException(spec.commandLine(), "set " + PASSWORD_VARIABLE + " to the password for cosign.key"
            + " (it may be empty), or write an unencrypted key with --pem");
      }
      SigningKey key = SigningKey.generate();
      List<Path> files = pem ? key.writePemKeyPair(output) : key.writeCosignKeyPair(output, password);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("directory", output.toString());
      m.put("files", files.stream().map(p -> p.getFileName().toString()).toList());
      out.result(m, "wrote " + String.join(" ", files.stream().map(p -> p.getFileName().toString()).toList())
          + " to " + output);
      return 0;
    }
  }
}
