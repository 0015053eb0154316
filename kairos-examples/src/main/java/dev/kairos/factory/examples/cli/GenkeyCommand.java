package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.secureboot.SecureBootKeys;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genkey}: Secure Boot keys, as AuroraBoot's genkey. */
@Command(name = "genkey", description = "Generate Secure Boot keys: PK, KEK, db (PEM, DER, .esl, .auth).")
final class GenkeyCommand extends Verb {
  @Parameters(index = "0", paramLabel = "NAME", description = "Name put in the certificates' subjects.")
  String name;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
      description = "Directory to write the keys to (created private to its owner if missing).")
  Path output;

  @Option(names = {"-e", "--expiration-in-days"}, paramLabel = "DAYS", defaultValue = "365",
      description = "Validity of the certificates (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--custom-cert-dir", paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "Extra certificates (e.g. Microsoft's) to add to KEK and db.")
  Path customCertDir;

  @Option(names = "--force", description = "Replace a key set already in the directory.")
  boolean force;

  @Override
  int run(Output out) throws Exception {
    SecureBootKeys.Builder b = SecureBootKeys.builder(name);
    InitOptions.attribute(spec, "--expiration-in-days", () -> b.validityDays(days));
    if (customCertDir != null) {
      b.microsoftCertificates(customCertDir);
    }
    List<String> files;
    try (ExclusiveLock lock = ExclusiveLock.forOutput(output)) {
      files = b.build().writeTo(output, force).stream().map(p -> p.getFileName().toString()).sorted().toList();
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("directory", output.toString());
    result.put("files", files);
    out.result(result, "wrote " + String.join(" ", files) + " to " + output);
    return 0;
  }
}
